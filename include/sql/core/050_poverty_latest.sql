-- Each NIK's latest poverty-register row received <= :as_of (latest received date, then
-- the later file name, then the later row). That row's village is the NIK's village for
-- poverty counts; whether it is poor (decile <= :poor_max_decile) is decided where it is
-- counted (core/070), so changing the setting needs no rebuild.
--
-- A working set that depends only on WHICH register rows are staged up to :as_of, not on
-- :as_of itself, and staged files are never changed or removed: so it is rebuilt only when
-- that set changes. The register arrives monthly and the snapshot runs daily; rebuilt
-- every day, sorting its millions of rows was the slowest model of every snapshot.

-- 1. The basis for :as_of: a digest of the staged register files (and their row counts),
--    read from the ledger, as core/030's basis is: a file's rows and its ledger entry are
--    written in one transaction, so its loaded entries with rows list what staging holds,
--    without grouping the register's millions of staged rows every day to find out.
DELETE FROM core.poverty_basis;

INSERT INTO core.poverty_basis (digest)
SELECT COALESCE(
    MD5(STRING_AGG(
        l.sha256 || '|' || l.file_name || '|' || CAST(l.received_date AS VARCHAR) || '|'
            || CAST(l.rows_loaded AS VARCHAR),
        ','
        ORDER BY l.sha256 COLLATE "C", l.file_name COLLATE "C"
    )),
    'no files'
)
FROM staging.file_ledger AS l
WHERE l.source = 'poverty_lists'
  AND l.status = 'loaded'
  AND l.rows_loaded > 0
  AND l.received_date <= CAST(:as_of AS DATE);

-- 2. Rows built from another basis are stale, and so are rows built before the working set
--    carried the name (core.probable_match links by name and birth date; staging's name is
--    never NULL).
DELETE FROM core.poverty_latest
WHERE basis <> (SELECT digest FROM core.poverty_basis)
   OR EXISTS (SELECT 1 FROM core.poverty_latest WHERE name IS NULL);

-- 3. An empty working set is built from the basis (a kept one is left as it is).
INSERT INTO core.poverty_latest (basis, nik, village_code, decile, name, birth_date)
WITH ranked AS (
    SELECT
        p.nik, p.village_code, p.decile, p.name, p.birth_date,
        ROW_NUMBER() OVER (
            PARTITION BY p.nik COLLATE "C"
            ORDER BY p.received_date DESC, p.file_name COLLATE "C" DESC, p.row_number DESC
        ) AS pick
    FROM staging.poverty_lists AS p
    WHERE p.received_date <= CAST(:as_of AS DATE)
      AND NOT EXISTS (SELECT 1 FROM core.poverty_latest)
)
SELECT b.digest, r.nik, r.village_code, r.decile, r.name, r.birth_date
FROM ranked AS r
CROSS JOIN core.poverty_basis AS b
WHERE r.pick = 1;

-- Fresh statistics for the models that join it (PostgreSQL would plan for an empty table).
ANALYZE core.poverty_latest;
