-- The latest received date in the ledger: a run dated before it is a backfill, and a
-- backfill reads no new files (they would be stamped with an old received date).
SELECT MAX(received_date) AS latest FROM staging.file_ledger;
