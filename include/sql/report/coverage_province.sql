-- Coverage report: the province totals on :as_of (no row: no snapshot for that date).
SELECT
    workers_proposed, workers_eligible, workers_covered, target_workers,
    target_attainment_pct, workforce_estimate, members_covered, workforce_coverage_pct,
    workforce_target_pct, villages_expected, villages_submitted, villages_on_time
FROM mart.coverage_province
WHERE snapshot_date = CAST(:as_of AS DATE);
