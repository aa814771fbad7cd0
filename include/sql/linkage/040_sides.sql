-- In-process DuckDB (cakupan.marts.linkage): both sides numbered and cleaned for Splink
-- (030 lists the columns); a candidate record is a distinct row of 020.
CREATE OR REPLACE TABLE link_records AS
WITH sides AS (
    SELECT 'proposed' AS side, * FROM link_proposed_keyed
    UNION ALL
    SELECT DISTINCT 'candidate', * FROM link_candidate_kept
)
SELECT
    side,
    ROW_NUMBER() OVER (
        PARTITION BY side
        ORDER BY candidate_source, nik, village_code NULLS FIRST, name NULLS FIRST,
                 birth_date NULLS FIRST
    ) AS unique_id,
    candidate_source,
    nik,
    village_code,
    link_name(name) AS name,
    coalesce(strftime(birth_date, '%d%m%y'), nik_birth(nik)) AS birth,
    block_1, block_3, block_5, block_7, block_9, block_11, block_13
FROM sides;

CREATE OR REPLACE TABLE link_proposed AS
SELECT * EXCLUDE (side) FROM link_records WHERE side = 'proposed';

CREATE OR REPLACE TABLE link_candidate AS
SELECT * EXCLUDE (side) FROM link_records WHERE side = 'candidate';
