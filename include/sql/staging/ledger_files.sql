-- Files already in the ledger for one source, earliest first: a (name, content) pair seen
-- before is not read again, and a new name for a content already *loaded* is recorded as
-- skipped_duplicate (a content that was only ever rejected gets its own verdict again).
SELECT file_name, sha256, status
FROM staging.file_ledger
WHERE source = :source
ORDER BY loaded_at, file_name;
