-- Coverage report: the forecast of every regency and of the province on :as_of.
SELECT unit_level, unit_code, pace_workers_per_week, workers_missing, target_reached_on
FROM mart.coverage_forecast
WHERE snapshot_date = CAST(:as_of AS DATE)
ORDER BY unit_level, unit_code;
