-- Audit: the rows of mart.coverage_province for :as_of, read inside the snapshot's transaction.
SELECT * FROM mart.coverage_province WHERE snapshot_date = CAST(:as_of AS DATE);
