-- Village submissions (CONTRACT §2, §3): a village's list of proposed workers.
-- Each source file holds two statements, run in order on the raw rows (``cells``, see
-- macros/010_cells.sql):
--   clean    one row per raw row, every column of the source cleaned (always first);
--   reasons  each row's first failing reason, in the contract's order, and its flags,
--            read from ``known`` (known.sql: the cleaned rows with what every source
--            looks up: the NIK as a number, whether the village code is in the list).
-- duplicate_in_file is decided for every source in judge.sql.

CREATE OR REPLACE TEMP VIEW clean AS
SELECT
    file_index,
    row_number,
    village_value(village_code, village_code__cell, village_code__number) AS village_code,
    id_value(nik, nik__cell, nik__number) AS nik,
    from_number(nik, nik__number) AS nik__numeric_cell,
    text_value(name, name__cell) AS name,
    text_value(birth_date, birth_date__cell) AS birth_date,
    date_value(birth_date, birth_date__date) AS birth_date__date,
    sex_value(sex) AS sex,
    text_value(occupation, occupation__cell) AS occupation,
    text_value(submitted_on, submitted_on__cell) AS submitted_on,
    date_or_received(submitted_on, submitted_on__cell, submitted_on__date) AS submitted_on__date,
    text_value(address, address__cell) AS address,
    text_value(phone, phone__cell) AS phone
FROM cells;

CREATE OR REPLACE TEMP VIEW reasons AS
SELECT
    c.*,
    c.nik AS row_key,
    CASE
        WHEN c.village_code IS NULL OR c.nik IS NULL OR c.name IS NULL OR c.birth_date IS NULL
            THEN 'missing_required'
        WHEN c.nik__numeric_cell THEN 'nik_numeric_cell'
        WHEN NOT nik_valid(c.nik__int) THEN 'invalid_nik'
        WHEN NOT c.village_known THEN 'unknown_village'
        WHEN c.birth_date__date IS NULL
            OR c.submitted_on__date IS NULL
            OR c.birth_date__date > getvariable('received_date')
            OR c.submitted_on__date > getvariable('received_date')
            THEN 'invalid_date'
    END AS first_reason,
    flag_birth_date_mismatch(c.nik__int, c.birth_date__date) AS nik_birth_date_mismatch,
    flag_sex_mismatch(c.nik__int, c.sex) AS nik_sex_mismatch,
    flag_outside_province(c.nik__int) AS nik_outside_province
FROM known AS c;
