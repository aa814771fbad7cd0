-- The files one `cakupan run` recorded (its ledger entries written since :since, UTC), for
-- the summary the command ends with.
SELECT source, file_name, status, error, rows_read, rows_loaded, rows_rejected,
    rejected_by_reason
FROM staging.file_ledger
WHERE loaded_at >= :since
ORDER BY source, file_name;
