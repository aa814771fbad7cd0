-- The verdict on every row, for every source (CONTRACT §3). ``reasons`` is a source's
-- rows with their first failing reason (<source>.sql), ``seen_key`` the keys an earlier
-- chunk of the same file loaded (empty unless a big file is read in chunks).
-- duplicate_in_file: the same key as an earlier *loaded* row of the same file, so only
-- rows that pass every other rule compete; the first of them loads. Flags are kept on
-- loaded rows only.
-- Loaded keys are fixed-width digits (16 for a NIK, kpj_digits for a KPJ), so they are
-- compared as numbers: "0100" and "100" never meet, as the second is not a valid key.
-- A hash aggregate finds each key's first row: a window over the keys costs four times more.

CREATE OR REPLACE TEMP TABLE keyed AS
SELECT *, TRY_CAST(row_key AS HUGEINT) AS key_number
FROM reasons;

CREATE OR REPLACE TEMP TABLE verdict AS
WITH firsts AS (
    SELECT file_index, key_number, min(row_number) AS first_row
    FROM keyed
    WHERE first_reason IS NULL
    GROUP BY file_index, key_number
),
verdict AS (
    SELECT
        k.*,
        CASE
            WHEN k.first_reason IS NOT NULL THEN k.first_reason
            WHEN k.row_number > f.first_row OR s.key_number IS NOT NULL THEN 'duplicate_in_file'
        END AS reason
    FROM keyed AS k
    LEFT JOIN firsts AS f ON f.file_index = k.file_index AND f.key_number = k.key_number
    LEFT JOIN seen_key AS s ON k.first_reason IS NULL AND s.key_number = k.key_number
)
SELECT
    * EXCLUDE (first_reason, nik_birth_date_mismatch, nik_sex_mismatch, nik_outside_province),
    reason IS NULL AND nik_birth_date_mismatch AS nik_birth_date_mismatch,
    reason IS NULL AND nik_sex_mismatch AS nik_sex_mismatch,
    reason IS NULL AND nik_outside_province AS nik_outside_province
FROM verdict;

DROP TABLE keyed;
