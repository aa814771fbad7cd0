-- Audit: the declared type of each column of mart.<:table_name>, so a column of NULLs only
-- is still compared as a date or a number (information_schema: the same on both engines).
SELECT column_name, data_type
FROM information_schema.columns
WHERE table_schema = 'mart' AND table_name = :table_name;
