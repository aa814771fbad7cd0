-- Audit: the rows of mart.coverage_regency for :as_of, read inside the snapshot's transaction.
SELECT * FROM mart.coverage_regency WHERE snapshot_date = CAST(:as_of AS DATE);
