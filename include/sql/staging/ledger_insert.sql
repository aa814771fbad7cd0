-- The ledger entry of one file, written in the same transaction as its rows.
INSERT INTO staging.file_ledger
    (source, file_name, sha256, received_date, status, error, rows_read, rows_loaded,
     rows_rejected, rejected_by_reason, flags_by_reason, header_row, run_id, loaded_at)
VALUES
    (:source, :file_name, :sha256, :received_date, :status, :error, :rows_read, :rows_loaded,
     :rows_rejected, :rejected_by_reason, :flags_by_reason, :header_row, :run_id, :loaded_at);
