-- The province's line of a snapshot and its audit warnings, for the run summary.
SELECT p.workers_proposed, p.workers_eligible, p.workers_covered, p.target_workers,
    p.target_attainment_pct,
    (SELECT COUNT(*) FROM core.audit_warning AS w WHERE w.snapshot_date = p.snapshot_date)
        AS audit_warnings
FROM mart.coverage_province AS p
WHERE p.snapshot_date = :as_of;
