-- mart.coverage_regency: one row per regency for :as_of, with the workforce figures and
-- members_covered = covered members attributed to the regency (CONTRACT §4 member's village).
DELETE FROM mart.coverage_regency WHERE snapshot_date = CAST(:as_of AS DATE);

INSERT INTO mart.coverage_regency
    (snapshot_date, regency_code, regency_name, workers_proposed, workers_eligible,
     workers_enrolled, workers_covered, workers_in_arrears, rows_rejected, target_workers,
     target_attainment_pct, coverage_pct, poor_listed, poor_covered, villages_expected,
     villages_submitted, villages_on_time, reporting_rate_pct, on_time_rate_pct,
     workforce_estimate, members_covered, workforce_coverage_pct, workforce_target_pct, workers_probably_covered, workers_awaiting_enrolment,
     workers_paid_by_village, village_budget_idr_per_year)
SELECT
    u.snapshot_date, r.regency_code, r.regency_name, u.workers_proposed, u.workers_eligible,
    u.workers_enrolled, u.workers_covered, u.workers_in_arrears, u.rows_rejected,
    u.target_workers, u.target_attainment_pct, u.coverage_pct, u.poor_listed,
    u.poor_covered, u.villages_expected, u.villages_submitted, u.villages_on_time,
    u.reporting_rate_pct, u.on_time_rate_pct, u.workforce_estimate, u.members_covered,
    u.workforce_coverage_pct, u.workforce_target_pct,
    u.workers_probably_covered, u.workers_awaiting_enrolment, u.workers_paid_by_village,
    u.village_budget_idr_per_year
FROM core.unit_snapshot AS u
JOIN ref.regency AS r ON r.regency_code = u.unit_code
WHERE u.snapshot_date = CAST(:as_of AS DATE)
  AND u.unit_level = 'regency';
