-- The rejected submission rows of one village, for the file its own operator fixes. They
-- carry the full NIK and row_data, which stay in staging and never reach mart: only this
-- village's rows are selected, so another village's NIKs cannot end up in its file.
SELECT
    r.file_name, r.received_date, r.row_number, r.reason, r.nik, r.row_data
FROM staging.rejected_rows AS r
WHERE r.source = 'village_submissions'
  AND r.village_code = :village_code
ORDER BY r.received_date, r.file_name, r.row_number;
