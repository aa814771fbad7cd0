-- BPJS Ketenagakerjaan membership exports (CONTRACT §2, §3). Same shape as
-- village_submissions.sql; a repeated KPJ, not NIK, is duplicate_in_file. enrolled_on is
-- optional and no rule uses it, so an unreadable one is kept empty, not a reason.

CREATE OR REPLACE TEMP VIEW clean AS
SELECT
    file_index,
    row_number,
    id_value(kpj, kpj__cell, kpj__number) AS kpj,
    id_value(nik, nik__cell, nik__number) AS nik,
    from_number(nik, nik__number) AS nik__numeric_cell,
    text_value(name, name__cell) AS name,
    enum_value(segment, segment__cell) AS segment,
    enum_value(status, status__cell) AS status,
    text_value(paid_through, paid_through__cell) AS paid_through,
    month_value(paid_through, paid_through__date) AS paid_through__date,
    text_value(enrolled_on, enrolled_on__cell) AS enrolled_on,
    date_value(enrolled_on, enrolled_on__date) AS enrolled_on__date,
    text_value(exported_on, exported_on__cell) AS exported_on,
    date_or_received(exported_on, exported_on__cell, exported_on__date) AS exported_on__date,
    village_value(village_code, village_code__cell, village_code__number) AS village_code,
    enum_value(payer, payer__cell) AS payer
FROM cells;

CREATE OR REPLACE TEMP VIEW reasons AS
SELECT
    c.*,
    c.kpj AS row_key,
    CASE
        WHEN c.kpj IS NULL OR c.nik IS NULL OR c.name IS NULL OR c.segment IS NULL
            OR c.status IS NULL OR c.paid_through IS NULL
            THEN 'missing_required'
        WHEN c.nik__numeric_cell THEN 'nik_numeric_cell'
        WHEN NOT nik_valid(c.nik__int) THEN 'invalid_nik'
        WHEN NOT coalesce(
            length(c.kpj) = getvariable('kpj_digits') AND regexp_full_match(c.kpj, '[0-9]+'), false
        ) THEN 'invalid_kpj'
        WHEN c.village_code IS NOT NULL AND NOT c.village_known THEN 'unknown_village'
        WHEN c.paid_through__date IS NULL OR c.exported_on__date IS NULL THEN 'invalid_date'
        WHEN c.segment NOT IN ('PU', 'BPU', 'JAKON', 'PMI')
            OR c.status NOT IN ('AKTIF', 'NONAKTIF', 'KELUAR')
            THEN 'invalid_value'
    END AS first_reason,
    false AS nik_birth_date_mismatch,
    false AS nik_sex_mismatch,
    flag_outside_province(c.nik__int) AS nik_outside_province
FROM known AS c;
