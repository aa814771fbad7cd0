-- Proposed workers on :as_of (CONTRACT §4): each distinct NIK from a loaded submission row
-- with submitted_on <= :as_of, from files received <= :as_of. A NIK proposed by several
-- villages belongs to the earliest submitted_on, then earliest received date, then lowest
-- village code (file and row only break exact ties, for a deterministic pick).
-- Age is whole years on the kept row's submitted_on; eligible while min_age <= age < max_age.
-- The kept row's name and birth date are kept for the linkage (core/065_probable_match).
-- A working set (ddl/040_core.sql): it holds only the date being built.
TRUNCATE core.proposed_worker;

INSERT INTO core.proposed_worker
    (snapshot_date, nik, nik_masked, village_code, submitted_on, age_on_submission, is_eligible,
     name, birth_date)
WITH ranked AS (
    SELECT
        s.nik,
        s.nik_masked,
        s.village_code,
        s.submitted_on,
        s.name,
        s.birth_date,
        ROW_NUMBER() OVER (
            PARTITION BY s.nik COLLATE "C"
            ORDER BY s.submitted_on, s.received_date, s.village_code COLLATE "C",
                     s.file_name COLLATE "C", s.row_number
        ) AS pick
    FROM staging.village_submissions AS s
    WHERE s.received_date <= CAST(:as_of AS DATE)
      AND s.submitted_on <= CAST(:as_of AS DATE)
),
aged AS (
    SELECT
        nik,
        nik_masked,
        village_code,
        submitted_on,
        name,
        birth_date,
        CAST(
            EXTRACT(YEAR FROM submitted_on) - EXTRACT(YEAR FROM birth_date)
            - CASE
                WHEN EXTRACT(MONTH FROM submitted_on) * 100 + EXTRACT(DAY FROM submitted_on)
                     < EXTRACT(MONTH FROM birth_date) * 100 + EXTRACT(DAY FROM birth_date)
                THEN 1 ELSE 0
              END
        AS INTEGER) AS age_on_submission
    FROM ranked
    WHERE pick = 1
)
SELECT
    CAST(:as_of AS DATE),
    nik,
    nik_masked,
    village_code,
    submitted_on,
    age_on_submission,
    age_on_submission >= :min_age AND age_on_submission < :max_age,
    name,
    birth_date
FROM aged;

-- Fresh statistics for the models that join it (PostgreSQL would plan for an empty table).
ANALYZE core.proposed_worker;
