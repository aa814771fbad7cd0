-- Fresh statistics after a bulk load: without them PostgreSQL plans the accounting and
-- snapshot joins as if the tables were empty (nested loops over millions of rows). The
-- ledger and the rejected rows here; each source's staging table is analyzed by the
-- reconcile of a run that loaded it (cakupan.pipeline.reconcile), not by every run: an
-- unloaded source's table has not changed, and sampling the register's millions of rows
-- cost about 1 s of each PostgreSQL reconcile.
ANALYZE staging.file_ledger;
ANALYZE staging.rejected_rows;
