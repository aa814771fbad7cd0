-- Coverage report: files received up to :as_of, counted by source and status.
SELECT
    source, status, COUNT(*) AS files, SUM(rows_read) AS rows_read,
    SUM(rows_loaded) AS rows_loaded, SUM(rows_rejected) AS rows_rejected
FROM mart.data_quality
WHERE received_date <= CAST(:as_of AS DATE)
GROUP BY source, status
ORDER BY source, status;
