-- Warehouse (both engines). core.probable_match is a working set holding only the date
-- being built (ddl/060): emptied before the linkage refills it.
TRUNCATE core.probable_match;
