-- Audit: the rows of mart.coverage_village for :as_of, read inside the snapshot's transaction.
SELECT * FROM mart.coverage_village WHERE snapshot_date = CAST(:as_of AS DATE);
