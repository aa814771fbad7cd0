-- Coverage report: every desa on :as_of with what decides whether it needs a follow-up.
-- Kelurahan are left out: they have no target and are not expected to submit.
SELECT
    regency_code, district_name, village_code, village_name, submission_status,
    first_submitted_on, workers_proposed, workers_covered, target_workers,
    target_attainment_pct, rows_rejected
FROM mart.coverage_village
WHERE snapshot_date = CAST(:as_of AS DATE)
  AND village_type = 'desa'
ORDER BY regency_code, village_code;
