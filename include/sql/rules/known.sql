-- What every source's rules look up about a cleaned row (run between a source's clean and
-- reasons statements): the NIK as a number (NULL unless 16 ASCII digits, macros/030_nik.sql)
-- and whether the village code is in the shipped reference list (CONTRACT §1).

CREATE OR REPLACE TEMP VIEW known AS
SELECT
    c.*,
    nik_number(c.nik) AS nik__int,
    ref.code IS NOT NULL AS village_known
FROM clean AS c
LEFT JOIN ref_village AS ref ON ref.code = c.village_code;
