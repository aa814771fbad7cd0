-- mart.coverage_district: one row per reference district for :as_of (CONTRACT §5).
DELETE FROM mart.coverage_district WHERE snapshot_date = CAST(:as_of AS DATE);

INSERT INTO mart.coverage_district
    (snapshot_date, district_code, district_name, regency_code, regency_name,
     workers_proposed, workers_eligible, workers_enrolled, workers_covered,
     workers_in_arrears, rows_rejected, target_workers, target_attainment_pct, coverage_pct,
     poor_listed, poor_covered, villages_expected, villages_submitted, villages_on_time,
     reporting_rate_pct, on_time_rate_pct, workers_probably_covered, workers_awaiting_enrolment,
     workers_paid_by_village, village_budget_idr_per_year)
SELECT
    u.snapshot_date, d.district_code, d.district_name, r.regency_code, r.regency_name,
    u.workers_proposed, u.workers_eligible, u.workers_enrolled, u.workers_covered,
    u.workers_in_arrears, u.rows_rejected, u.target_workers, u.target_attainment_pct,
    u.coverage_pct, u.poor_listed, u.poor_covered, u.villages_expected,
    u.villages_submitted, u.villages_on_time, u.reporting_rate_pct, u.on_time_rate_pct,
    u.workers_probably_covered, u.workers_awaiting_enrolment, u.workers_paid_by_village,
    u.village_budget_idr_per_year
FROM core.unit_snapshot AS u
JOIN ref.district AS d ON d.district_code = u.unit_code
JOIN ref.regency AS r ON r.regency_code = d.regency_code
WHERE u.snapshot_date = CAST(:as_of AS DATE)
  AND u.unit_level = 'district';
