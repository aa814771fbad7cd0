-- mart.data_quality: one row per file seen, from the ledger (all files, not per snapshot).
DELETE FROM mart.data_quality;

INSERT INTO mart.data_quality
    (source, file_name, sha256, received_date, status, error, rows_read, rows_loaded,
     rows_rejected, rejected_by_reason, flags_by_reason)
SELECT
    source, file_name, sha256, received_date, status, error, rows_read, rows_loaded,
    rows_rejected, rejected_by_reason, flags_by_reason
FROM staging.file_ledger;
