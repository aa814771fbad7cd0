-- The verdict on every row, for every source (CONTRACT §3). ``reasons`` is a source's
-- rows with their first failing reason (<source>.sql), ``seen_key`` the keys an earlier
-- chunk of the same file loaded (empty unless a big file is read in chunks).
-- duplicate_in_file: the same key as an earlier *loaded* row of the same file, so only
-- rows that pass every other rule compete; the first of them loads. Flags are kept on
-- loaded rows only. The one table the pass materialises: everything before it is a view.
-- Loaded keys are fixed-width digits (16 for a NIK, kpj_digits for a KPJ), so they are
-- kept as numbers: "0100" and "100" never meet, as the second is not a valid key.

CREATE OR REPLACE TEMP TABLE verdict AS
WITH verdict AS (
    SELECT
        r.*,
        CASE
            WHEN r.first_reason IS NOT NULL THEN r.first_reason
            WHEN r.row_number > min(r.row_number) FILTER (WHERE r.first_reason IS NULL) OVER (
                PARTITION BY r.file_index, r.row_key
            ) THEN 'duplicate_in_file'
            WHEN s.row_key IS NOT NULL THEN 'duplicate_in_file'
        END AS reason
    FROM reasons AS r
    LEFT JOIN seen_key AS s
        ON r.first_reason IS NULL AND s.row_key = TRY_CAST(r.row_key AS HUGEINT)
)
SELECT
    * EXCLUDE (first_reason, nik_birth_date_mismatch, nik_sex_mismatch, nik_outside_province),
    reason IS NULL AND nik_birth_date_mismatch AS nik_birth_date_mismatch,
    reason IS NULL AND nik_sex_mismatch AS nik_sex_mismatch,
    reason IS NULL AND nik_outside_province AS nik_outside_province
FROM verdict;
