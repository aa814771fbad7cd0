-- Fresh statistics after a bulk load: without them PostgreSQL plans the accounting and
-- snapshot joins as if the tables were empty (nested loops over millions of rows).
ANALYZE staging.file_ledger;
ANALYZE staging.rejected_rows;
ANALYZE staging.village_submissions;
ANALYZE staging.poverty_lists;
ANALYZE staging.member_exports;
