-- Audit: units of the reference list, the row count each coverage table must have per date.
SELECT
    (SELECT COUNT(*) FROM ref.village) AS village,
    (SELECT COUNT(*) FROM ref.district) AS district,
    (SELECT COUNT(*) FROM ref.regency) AS regency;
