-- Member's village for every covered NIK (regency and province totals of all members):
-- the covering KPJ's village, else the village the NIK was proposed from, else the village
-- of its latest poverty-list row (any decile), else NULL = unattributed.
-- Never derived from the NIK prefix: a NIK records where it was issued, not an address.
-- A working set (ddl/040_core.sql): it holds only the date being built.
TRUNCATE core.member_village;

INSERT INTO core.member_village (snapshot_date, nik, village_code)
SELECT
    CAST(:as_of AS DATE),
    c.nik,
    COALESCE(c.covering_village_code, p.village_code, ps.village_code)
FROM core.member_coverage AS c
LEFT JOIN core.proposed_worker AS p
  ON p.snapshot_date = c.snapshot_date AND p.nik = c.nik
LEFT JOIN core.poverty_latest AS ps
  ON ps.nik = c.nik
WHERE c.snapshot_date = CAST(:as_of AS DATE)
  AND c.is_covered;

-- Fresh statistics for the models that join it (PostgreSQL would plan for an empty table).
ANALYZE core.member_village;
