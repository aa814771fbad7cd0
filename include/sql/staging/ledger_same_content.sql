-- Ledger entries of one source with this content, earliest first: a new name for the same
-- content is recorded as skipped_duplicate of the first.
SELECT file_name
FROM staging.file_ledger
WHERE source = :source AND sha256 = :sha256
ORDER BY loaded_at, file_name;
