-- mart.coverage_village: one row per reference village for :as_of (CONTRACT §5).
DELETE FROM mart.coverage_village WHERE snapshot_date = CAST(:as_of AS DATE);

INSERT INTO mart.coverage_village
    (snapshot_date, village_code, village_name, village_type, district_code, district_name,
     regency_code, regency_name, workers_proposed, workers_eligible, workers_enrolled,
     workers_covered, workers_in_arrears, rows_rejected, target_workers,
     target_attainment_pct, coverage_pct, poor_listed, poor_covered, first_submitted_on,
     submission_status, workers_probably_covered, workers_awaiting_enrolment,
     workers_paid_by_village, village_budget_idr_per_year)
SELECT
    u.snapshot_date, v.village_code, v.village_name, v.village_type, v.district_code,
    v.district_name, v.regency_code, v.regency_name, u.workers_proposed, u.workers_eligible,
    u.workers_enrolled, u.workers_covered, u.workers_in_arrears, u.rows_rejected,
    u.target_workers, u.target_attainment_pct, u.coverage_pct, u.poor_listed, u.poor_covered,
    vs.first_submitted_on, vs.submission_status,
    u.workers_probably_covered, u.workers_awaiting_enrolment, u.workers_paid_by_village,
    u.village_budget_idr_per_year
FROM core.unit_snapshot AS u
JOIN ref.village AS v ON v.village_code = u.unit_code
JOIN core.village_snapshot AS vs
  ON vs.snapshot_date = u.snapshot_date AND vs.village_code = u.unit_code
WHERE u.snapshot_date = CAST(:as_of AS DATE)
  AND u.unit_level = 'village';
