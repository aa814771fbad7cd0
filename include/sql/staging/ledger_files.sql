-- Files already in the ledger for one source, earliest first: a (name, content) pair seen
-- before is not read again, and a new name for a content seen before is recorded as
-- skipped_duplicate of the first name.
SELECT file_name, sha256
FROM staging.file_ledger
WHERE source = :source
ORDER BY loaded_at, file_name;
