-- Audit: the rows of mart.coverage_district for :as_of, read inside the snapshot's transaction.
SELECT * FROM mart.coverage_district WHERE snapshot_date = CAST(:as_of AS DATE);
