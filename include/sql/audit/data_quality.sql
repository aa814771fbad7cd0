-- Audit: the files received up to :as_of (the snapshot's view, as in the report). The
-- error text and the JSON counts are not read: no check needs them.
SELECT source, file_name, sha256, received_date, status, rows_read, rows_loaded, rows_rejected
FROM mart.data_quality
WHERE received_date <= CAST(:as_of AS DATE);
