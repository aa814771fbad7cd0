-- Coverage report: workers covered per regency on every snapshot up to :as_of.
SELECT snapshot_date, regency_code, workers_covered
FROM mart.coverage_regency
WHERE snapshot_date <= CAST(:as_of AS DATE)
ORDER BY snapshot_date, regency_code;
