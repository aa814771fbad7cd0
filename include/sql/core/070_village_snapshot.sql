-- One row per reference village on :as_of with its counts and submission status.
-- enrolled / covered / in_arrears count ELIGIBLE proposed workers; rows_rejected counts
-- rejected submission rows whose village code is in the reference list.
-- Since the first edition (CONTRACT §5.1), also counting eligible proposed workers:
--   probably covered  not covered by exact NIK, but their best probable match
--                     (core.probable_match, at or above :min_probability) is covered;
--   awaiting enrolment  not enrolled (no KPJ row for their NIK);
--   paid by village   covered by a KPJ whose payer is APBDES;
-- and the desa's yearly budget for its target: target x :contribution_idr_per_month x 12.
-- Status: missing (no loaded row with submitted_on <= :as_of), on_time (first submission
-- <= its regency's deadline), late (after it), submitted (regency without a deadline).
DELETE FROM core.village_snapshot WHERE snapshot_date = CAST(:as_of AS DATE);

INSERT INTO core.village_snapshot
    (snapshot_date, village_code, workers_proposed, workers_eligible, workers_enrolled,
     workers_covered, workers_in_arrears, rows_rejected, target_workers, poor_listed,
     poor_covered, members_covered, first_submitted_on, submission_status, is_expected,
     has_deadline, workers_probably_covered, workers_awaiting_enrolment,
     workers_paid_by_village, village_budget_idr_per_year)
WITH best_match AS (
    SELECT nik, candidate_nik
    FROM (
        SELECT
            pm.nik,
            pm.candidate_nik,
            ROW_NUMBER() OVER (
                PARTITION BY pm.nik
                ORDER BY pm.match_probability DESC, pm.candidate_nik COLLATE "C",
                         pm.candidate_source
            ) AS pick
        FROM core.probable_match AS pm
        WHERE pm.snapshot_date = CAST(:as_of AS DATE)
          AND pm.match_probability >= :min_probability
    ) AS ranked
    WHERE pick = 1
),
proposed AS (
    SELECT
        p.village_code,
        COUNT(*) AS workers_proposed,
        SUM(CASE WHEN p.is_eligible THEN 1 ELSE 0 END) AS workers_eligible,
        SUM(CASE WHEN p.is_eligible AND m.nik IS NOT NULL THEN 1 ELSE 0 END) AS workers_enrolled,
        SUM(CASE WHEN p.is_eligible AND m.is_covered THEN 1 ELSE 0 END) AS workers_covered,
        SUM(CASE WHEN p.is_eligible AND m.is_in_arrears THEN 1 ELSE 0 END) AS workers_in_arrears,
        SUM(CASE WHEN p.is_eligible AND NOT COALESCE(m.is_covered, FALSE) AND bm.is_covered
                 THEN 1 ELSE 0 END) AS workers_probably_covered,
        SUM(CASE WHEN p.is_eligible AND m.nik IS NULL THEN 1 ELSE 0 END)
            AS workers_awaiting_enrolment,
        SUM(CASE WHEN p.is_eligible AND m.is_paid_by_village THEN 1 ELSE 0 END)
            AS workers_paid_by_village
    FROM core.proposed_worker AS p
    LEFT JOIN core.member_coverage AS m
      ON m.snapshot_date = p.snapshot_date AND m.nik = p.nik
    LEFT JOIN best_match AS b ON b.nik = p.nik
    LEFT JOIN core.member_coverage AS bm
      ON bm.snapshot_date = p.snapshot_date AND bm.nik = b.candidate_nik
    WHERE p.snapshot_date = CAST(:as_of AS DATE)
    GROUP BY p.village_code
),
submitted AS (
    SELECT s.village_code, MIN(s.submitted_on) AS first_submitted_on
    FROM staging.village_submissions AS s
    WHERE s.received_date <= CAST(:as_of AS DATE)
      AND s.submitted_on <= CAST(:as_of AS DATE)
    GROUP BY s.village_code
),
rejected AS (
    SELECT r.village_code, COUNT(*) AS rows_rejected
    FROM staging.rejected_rows AS r
    WHERE r.source = 'village_submissions'
      AND r.received_date <= CAST(:as_of AS DATE)
    GROUP BY r.village_code
),
poor AS (
    SELECT
        ps.village_code,
        COUNT(*) AS poor_listed,
        SUM(CASE WHEN m.is_covered THEN 1 ELSE 0 END) AS poor_covered
    FROM core.poverty_latest AS ps
    LEFT JOIN core.member_coverage AS m
      ON m.snapshot_date = CAST(:as_of AS DATE) AND m.nik = ps.nik
    WHERE ps.decile <= :poor_max_decile
    GROUP BY ps.village_code
),
members AS (
    SELECT mv.village_code, COUNT(*) AS members_covered
    FROM core.member_village AS mv
    WHERE mv.snapshot_date = CAST(:as_of AS DATE)
      AND mv.village_code IS NOT NULL
    GROUP BY mv.village_code
)
SELECT
    CAST(:as_of AS DATE),
    v.village_code,
    COALESCE(p.workers_proposed, 0),
    COALESCE(p.workers_eligible, 0),
    COALESCE(p.workers_enrolled, 0),
    COALESCE(p.workers_covered, 0),
    COALESCE(p.workers_in_arrears, 0),
    COALESCE(r.rows_rejected, 0),
    CASE WHEN v.village_type = 'desa' THEN t.village_target END,
    COALESCE(po.poor_listed, 0),
    COALESCE(po.poor_covered, 0),
    COALESCE(mb.members_covered, 0),
    s.first_submitted_on,
    CASE
        WHEN s.first_submitted_on IS NULL THEN 'missing'
        WHEN t.submission_deadline IS NULL THEN 'submitted'
        WHEN s.first_submitted_on <= t.submission_deadline THEN 'on_time'
        ELSE 'late'
    END,
    v.village_type = 'desa',
    t.submission_deadline IS NOT NULL,
    COALESCE(p.workers_probably_covered, 0),
    COALESCE(p.workers_awaiting_enrolment, 0),
    COALESCE(p.workers_paid_by_village, 0),
    CASE
        WHEN v.village_type = 'desa'
        THEN CAST(t.village_target AS BIGINT) * :contribution_idr_per_month * 12
    END
FROM ref.village AS v
LEFT JOIN ref.regency_target AS t ON t.regency_code = v.regency_code
LEFT JOIN proposed AS p ON p.village_code = v.village_code
LEFT JOIN submitted AS s ON s.village_code = v.village_code
LEFT JOIN rejected AS r ON r.village_code = v.village_code
LEFT JOIN poor AS po ON po.village_code = v.village_code
LEFT JOIN members AS mb ON mb.village_code = v.village_code;
