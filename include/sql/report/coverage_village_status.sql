-- Coverage report: villages per regency, type and submission status on :as_of.
SELECT regency_code, village_type, submission_status, COUNT(*) AS villages
FROM mart.coverage_village
WHERE snapshot_date = CAST(:as_of AS DATE)
GROUP BY regency_code, village_type, submission_status
ORDER BY regency_code, village_type, submission_status;
