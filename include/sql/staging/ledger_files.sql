-- (file_name, sha256) pairs already in the ledger for one source: those are not read again.
SELECT file_name, sha256
FROM staging.file_ledger
WHERE source = :source;
