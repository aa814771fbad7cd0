-- mart.coverage_province: one row for :as_of; members_covered counts every covered NIK,
-- members_unattributed those with no village by the member's-village rule.
DELETE FROM mart.coverage_province WHERE snapshot_date = CAST(:as_of AS DATE);

INSERT INTO mart.coverage_province
    (snapshot_date, workers_proposed, workers_eligible, workers_enrolled, workers_covered,
     workers_in_arrears, rows_rejected, target_workers, target_attainment_pct, coverage_pct,
     poor_listed, poor_covered, villages_expected, villages_submitted, villages_on_time,
     reporting_rate_pct, on_time_rate_pct, workforce_estimate, members_covered,
     workforce_coverage_pct, workforce_target_pct, members_unattributed, workers_probably_covered, workers_awaiting_enrolment,
     workers_paid_by_village, village_budget_idr_per_year)
SELECT
    u.snapshot_date, u.workers_proposed, u.workers_eligible, u.workers_enrolled,
    u.workers_covered, u.workers_in_arrears, u.rows_rejected, u.target_workers,
    u.target_attainment_pct, u.coverage_pct, u.poor_listed, u.poor_covered,
    u.villages_expected, u.villages_submitted, u.villages_on_time, u.reporting_rate_pct,
    u.on_time_rate_pct, u.workforce_estimate, u.members_covered, u.workforce_coverage_pct,
    u.workforce_target_pct,
    (SELECT COUNT(*) FROM core.member_village AS mv
      WHERE mv.snapshot_date = u.snapshot_date AND mv.village_code IS NULL),
    u.workers_probably_covered, u.workers_awaiting_enrolment, u.workers_paid_by_village,
    u.village_budget_idr_per_year
FROM core.unit_snapshot AS u
WHERE u.snapshot_date = CAST(:as_of AS DATE)
  AND u.unit_level = 'province';
