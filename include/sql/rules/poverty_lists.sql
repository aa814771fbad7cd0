-- Poverty register extracts (CONTRACT §2, §3): NIK, village, welfare decile.
-- Same shape as village_submissions.sql. birth_date is optional and no rule uses it,
-- so an unreadable one is kept empty, not a reason (it still feeds the birth-date flag).

CREATE OR REPLACE TEMP VIEW clean AS
SELECT
    file_index,
    row_number,
    id_value(nik, nik__cell, nik__number) AS nik,
    from_number(nik, nik__number) AS nik__numeric_cell,
    id_value(family_number, family_number__cell, family_number__number) AS family_number,
    text_value(name, name__cell) AS name,
    text_value(birth_date, birth_date__cell) AS birth_date,
    date_value(birth_date, birth_date__date) AS birth_date__date,
    village_value(village_code, village_code__cell, village_code__number) AS village_code,
    text_value(decile, decile__cell) AS decile,
    whole_value(decile, decile__cell) AS decile__num
FROM cells;

CREATE OR REPLACE TEMP VIEW reasons AS
SELECT
    c.*,
    c.nik AS row_key,
    CASE
        WHEN c.nik IS NULL OR c.name IS NULL OR c.village_code IS NULL OR c.decile IS NULL
            THEN 'missing_required'
        WHEN c.nik__numeric_cell THEN 'nik_numeric_cell'
        WHEN NOT nik_valid(c.nik__int) THEN 'invalid_nik'
        WHEN NOT c.village_known THEN 'unknown_village'
        WHEN c.decile__num IS NULL OR c.decile__num NOT BETWEEN 1 AND 10 THEN 'invalid_value'
    END AS first_reason,
    flag_birth_date_mismatch(c.nik__int, c.birth_date__date) AS nik_birth_date_mismatch,
    false AS nik_sex_mismatch,
    flag_outside_province(c.nik__int) AS nik_outside_province
FROM known AS c;
