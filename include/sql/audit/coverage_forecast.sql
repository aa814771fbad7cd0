-- Audit: the rows of mart.coverage_forecast for :as_of, read inside the snapshot's transaction.
SELECT * FROM mart.coverage_forecast WHERE snapshot_date = CAST(:as_of AS DATE);
