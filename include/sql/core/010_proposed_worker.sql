-- Proposed workers on :as_of (CONTRACT §4) and whether each is eligible: the rule is
-- fragments/proposed_worker.sql, shared with the enrolment worklist of any date.
-- The kept row's name and birth date are kept for the linkage (core/065_probable_match).
-- A working set (ddl/040_core.sql): it holds only the date being built.
TRUNCATE core.proposed_worker;

INSERT INTO core.proposed_worker
    (snapshot_date, nik, nik_masked, village_code, submitted_on, age_on_submission, is_eligible,
     name, birth_date)
WITH proposed AS ({{ proposed_worker(:as_of, :min_age, :max_age) }})
SELECT
    CAST(:as_of AS DATE),
    nik,
    nik_masked,
    village_code,
    submitted_on,
    age_on_submission,
    is_eligible,
    name,
    birth_date
FROM proposed;

-- Fresh statistics for the models that join it (PostgreSQL would plan for an empty table).
ANALYZE core.proposed_worker;
