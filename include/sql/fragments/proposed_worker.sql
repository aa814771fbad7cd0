-- parameters: as_of, min_age, max_age
-- The proposed workers on as_of (CONTRACT §4), one row per distinct NIK: the rule written
-- once, for the snapshot's working set (core/010_proposed_worker.sql) and for the
-- enrolment worklist of any date (report/enrolment_worklist.sql). Used as a subquery:
--   WITH proposed AS ({{ proposed_worker(:as_of, :min_age, :max_age) }}) ...
-- Each distinct NIK from a loaded submission row with submitted_on <= as_of, from files
-- received <= as_of. A NIK proposed by several villages belongs to the earliest
-- submitted_on, then earliest received date, then lowest village code (file and row only
-- break exact ties, for a deterministic pick). The kept row's columns come with it (the
-- worklist's personal columns; the working set takes only what it stores).
-- Age is whole years on the kept row's submitted_on; eligible while
-- min_age <= age < max_age.
SELECT
    aged.*,
    aged.age_on_submission >= {min_age} AND aged.age_on_submission < {max_age} AS is_eligible
FROM (
    SELECT
        ranked.nik,
        ranked.nik_masked,
        ranked.village_code,
        ranked.submitted_on,
        ranked.birth_date,
        ranked.name,
        ranked.sex,
        ranked.occupation,
        ranked.address,
        ranked.phone,
        CAST(
            EXTRACT(YEAR FROM ranked.submitted_on) - EXTRACT(YEAR FROM ranked.birth_date)
            - CASE
                WHEN EXTRACT(MONTH FROM ranked.submitted_on) * 100
                     + EXTRACT(DAY FROM ranked.submitted_on)
                     < EXTRACT(MONTH FROM ranked.birth_date) * 100
                       + EXTRACT(DAY FROM ranked.birth_date)
                THEN 1 ELSE 0
              END
        AS INTEGER) AS age_on_submission
    FROM (
        SELECT
            s.nik,
            s.nik_masked,
            s.village_code,
            s.submitted_on,
            s.birth_date,
            s.name,
            s.sex,
            s.occupation,
            s.address,
            s.phone,
            ROW_NUMBER() OVER (
                PARTITION BY s.nik COLLATE "C"
                ORDER BY s.submitted_on, s.received_date, s.village_code COLLATE "C",
                         s.file_name COLLATE "C", s.row_number
            ) AS pick
        FROM staging.village_submissions AS s
        WHERE s.received_date <= CAST({as_of} AS DATE)
          AND s.submitted_on <= CAST({as_of} AS DATE)
    ) AS ranked
    WHERE ranked.pick = 1
) AS aged
