-- Coverage report: every regency's attainment and workforce coverage on :as_of.
SELECT
    regency_code, regency_name, workers_proposed, workers_eligible, workers_covered,
    target_workers, target_attainment_pct, workforce_estimate, members_covered,
    workforce_coverage_pct, workforce_target_pct, villages_expected, villages_submitted,
    villages_on_time
FROM mart.coverage_regency
WHERE snapshot_date = CAST(:as_of AS DATE)
ORDER BY regency_code;
