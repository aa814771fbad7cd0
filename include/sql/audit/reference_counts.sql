-- Audit: units of the reference list, the row count each coverage table must have per date
-- (the forecast has a row per regency and one for the province).
SELECT
    (SELECT COUNT(*) FROM ref.village) AS village,
    (SELECT COUNT(*) FROM ref.district) AS district,
    (SELECT COUNT(*) FROM ref.regency) AS regency,
    (SELECT COUNT(*) FROM ref.regency) + (SELECT COUNT(*) FROM ref.province_target)
        AS regency_and_province;
