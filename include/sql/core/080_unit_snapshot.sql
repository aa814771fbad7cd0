-- Every reporting level on :as_of: villages, districts, regencies and the province, as sums
-- of core.village_snapshot. Rates use expected villages (desa only; kelurahan are not
-- expected to submit); on_time_rate_pct only counts desa whose regency has a deadline.
-- The province's members_covered counts every covered NIK, attributed to a village or not.
--
-- Percentages are 0-100 with 2 decimals, half rounded up, NULL when the denominator is 0
-- or unknown: fragments/percentage.sql, the one place the formula is written.
DELETE FROM core.unit_snapshot WHERE snapshot_date = CAST(:as_of AS DATE);

INSERT INTO core.unit_snapshot
    (snapshot_date, unit_level, unit_code, workers_proposed, workers_eligible,
     workers_enrolled, workers_covered, workers_in_arrears, rows_rejected, target_workers,
     target_attainment_pct, coverage_pct, poor_listed, poor_covered, villages_expected,
     villages_submitted, villages_on_time, reporting_rate_pct, on_time_rate_pct,
     members_covered, workforce_estimate, workforce_coverage_pct, workforce_target_pct,
     workers_probably_covered, workers_awaiting_enrolment, workers_paid_by_village,
     village_budget_idr_per_year)
WITH rolled AS (
    SELECT
        v.regency_code,
        v.district_code,
        vs.village_code,
        CAST(SUM(vs.workers_proposed) AS BIGINT) AS workers_proposed,
        CAST(SUM(vs.workers_eligible) AS BIGINT) AS workers_eligible,
        CAST(SUM(vs.workers_enrolled) AS BIGINT) AS workers_enrolled,
        CAST(SUM(vs.workers_covered) AS BIGINT) AS workers_covered,
        CAST(SUM(vs.workers_in_arrears) AS BIGINT) AS workers_in_arrears,
        CAST(SUM(vs.rows_rejected) AS BIGINT) AS rows_rejected,
        CAST(SUM(vs.target_workers) AS BIGINT) AS target_workers,
        CAST(SUM(vs.poor_listed) AS BIGINT) AS poor_listed,
        CAST(SUM(vs.poor_covered) AS BIGINT) AS poor_covered,
        CAST(SUM(CASE WHEN vs.is_expected THEN 1 ELSE 0 END) AS BIGINT) AS villages_expected,
        CAST(SUM(CASE WHEN vs.is_expected AND vs.submission_status <> 'missing'
                      THEN 1 ELSE 0 END) AS BIGINT) AS villages_submitted,
        CAST(SUM(CASE WHEN vs.is_expected AND vs.submission_status = 'on_time'
                      THEN 1 ELSE 0 END) AS BIGINT) AS villages_on_time,
        CAST(SUM(CASE WHEN vs.is_expected AND vs.has_deadline
                      THEN 1 ELSE 0 END) AS BIGINT) AS villages_with_deadline,
        CAST(SUM(vs.members_covered) AS BIGINT) AS members_attributed,
        CAST(SUM(vs.workers_probably_covered) AS BIGINT) AS workers_probably_covered,
        CAST(SUM(vs.workers_awaiting_enrolment) AS BIGINT) AS workers_awaiting_enrolment,
        CAST(SUM(vs.workers_paid_by_village) AS BIGINT) AS workers_paid_by_village,
        CAST(SUM(vs.village_budget_idr_per_year) AS BIGINT) AS village_budget_idr_per_year
    FROM core.village_snapshot AS vs
    JOIN ref.village AS v ON v.village_code = vs.village_code
    WHERE vs.snapshot_date = CAST(:as_of AS DATE)
    GROUP BY GROUPING SETS (
        (v.regency_code, v.district_code, vs.village_code),
        (v.regency_code, v.district_code),
        (v.regency_code),
        ()
    )
),
unattributed AS (
    SELECT COUNT(*) AS members_unattributed
    FROM core.member_village
    WHERE snapshot_date = CAST(:as_of AS DATE) AND village_code IS NULL
),
unit AS (
    SELECT
        CASE
            WHEN r.village_code IS NOT NULL THEN 'village'
            WHEN r.district_code IS NOT NULL THEN 'district'
            WHEN r.regency_code IS NOT NULL THEN 'regency'
            ELSE 'province'
        END AS unit_level,
        COALESCE(r.village_code, r.district_code, r.regency_code, pt.province_code) AS unit_code,
        r.*,
        CASE
            WHEN r.regency_code IS NULL THEN r.members_attributed + u.members_unattributed
            ELSE r.members_attributed
        END AS members_covered,
        CASE
            WHEN r.regency_code IS NULL THEN pt.workforce_estimate
            WHEN r.district_code IS NULL THEN rt.workforce_estimate
        END AS workforce_estimate,
        CASE
            WHEN r.regency_code IS NULL THEN pt.workforce_target_pct
            WHEN r.district_code IS NULL THEN rt.workforce_target_pct
        END AS workforce_target_pct
    FROM rolled AS r
    CROSS JOIN unattributed AS u
    CROSS JOIN ref.province_target AS pt
    LEFT JOIN ref.regency_target AS rt ON rt.regency_code = r.regency_code
)
SELECT
    CAST(:as_of AS DATE),
    unit_level,
    unit_code,
    workers_proposed,
    workers_eligible,
    workers_enrolled,
    workers_covered,
    workers_in_arrears,
    rows_rejected,
    target_workers,
    {{ percentage(workers_covered, target_workers) }},
    {{ percentage(workers_covered, workers_eligible) }},
    poor_listed,
    poor_covered,
    villages_expected,
    villages_submitted,
    villages_on_time,
    {{ percentage(villages_submitted, villages_expected) }},
    {{ percentage(villages_on_time, villages_with_deadline) }},
    members_covered,
    workforce_estimate,
    {{ percentage(members_covered, workforce_estimate) }},
    workforce_target_pct,
    workers_probably_covered,
    workers_awaiting_enrolment,
    workers_paid_by_village,
    village_budget_idr_per_year
FROM unit;
