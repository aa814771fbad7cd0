-- mart.rejected_rows: every rejected row with its reason; the NIK only masked.
DELETE FROM mart.rejected_rows;

INSERT INTO mart.rejected_rows
    (source, file_name, sha256, row_number, reason, village_code, nik_masked)
SELECT source, file_name, sha256, row_number, reason, village_code, nik_masked
FROM staging.rejected_rows;
