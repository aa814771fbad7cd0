-- Member state of each KPJ on :as_of (CONTRACT §4): its row with the latest exported_on,
-- then latest received date, among rows from files received <= :as_of (file and row only
-- break exact ties).
--
-- Kept between snapshots (core.member_latest) and built INCREMENTALLY: the latest row of
-- a KPJ among more rows is the latest of its kept row and the rows added, so a build
-- reads only the kept state and the rows of files received since the date it was built
-- through. Re-sorting every export ever staged (a full export a day) made each snapshot
-- slower than the day before. A row can be merged in but not taken out: when a file the
-- state was built from is not staged <= :as_of as it was (a backfill to an earlier
-- date, a file removed or staged again) the state is rebuilt from every row received
-- <= :as_of. The basis is the ledger (core.member_basis): a file's rows and its ledger
-- entry are written in one transaction, so the ledger lists what staging holds (a merge
-- looks for new files in the ledger: rows staged without an entry are sure to be read
-- only by a rebuild).
-- docs/decisions.md, "The member state".

-- 1. The ledger's member-export files received <= :as_of, read once before staging is:
--    whatever commits meanwhile, the new basis never lists a file whose rows were not read.
TRUNCATE core.member_staged;

INSERT INTO core.member_staged (sha256, file_name, received_date, rows_loaded, loaded_at)
SELECT l.sha256, l.file_name, l.received_date, l.rows_loaded, l.loaded_at
FROM staging.file_ledger AS l
WHERE l.source = 'member_exports'
  AND l.status = 'loaded'
  AND l.received_date <= CAST(:as_of AS DATE);

-- 2. The plan (core.member_build, one row), merge_after:
--    * NULL, rebuild: there is no state, :as_of is before the date it is built through,
--      a file of its basis is no longer staged as it was, or the state was built before
--      it carried the name (core.probable_match links by it; staging's name is never NULL);
--    * :as_of, nothing to merge: every staged file is in the basis (a re-run, a day
--      without an export);
--    * else the day before the earliest received date of the files staged since: their
--      rows are merged, and so are rows of that day the state holds already (a file that
--      arrived after its day was built), which changes nothing.
INSERT INTO core.member_build (built_through, merge_after)
SELECT NULL, NULL
WHERE NOT EXISTS (SELECT 1 FROM core.member_build);

UPDATE core.member_build
SET merge_after = CASE
    WHEN built_through IS NULL
        OR built_through > CAST(:as_of AS DATE)
        OR NOT EXISTS (SELECT 1 FROM core.member_latest)
        OR NOT EXISTS (SELECT 1 FROM core.member_enrolled)
        OR EXISTS (SELECT 1 FROM core.member_latest WHERE name IS NULL)
    THEN NULL
    WHEN EXISTS (
        SELECT 1
        FROM core.member_basis AS b
        WHERE NOT EXISTS (
            SELECT 1
            FROM core.member_staged AS s
            WHERE s.sha256 = b.sha256
              AND s.file_name = b.file_name
              AND s.received_date = b.received_date
              AND s.rows_loaded = b.rows_loaded
              AND s.loaded_at = b.loaded_at
        )
    ) THEN NULL
    ELSE COALESCE(
        (
            SELECT MIN(s.received_date)
            FROM core.member_staged AS s
            WHERE NOT EXISTS (
                SELECT 1
                FROM core.member_basis AS b
                WHERE b.sha256 = s.sha256 AND b.file_name = s.file_name
            )
        ) - 1,
        CAST(:as_of AS DATE)
    )
END;

-- 3. The kept state is set aside in core.member_previous (a rebuild needs none), and
--    core.member_latest refilled: with the latest row per KPJ among the kept state and the
--    rows received after merge_after (a rebuild: among every row received <= :as_of), or,
--    with nothing to merge, with the kept state as it was (copied back, not sorted).
--    Kept rows carry only exported_on and received_date of the order: a staged row with
--    the same two values is from a file received on the kept row's day, and such a day is
--    read again whole (the kept row's own row with it), so a kept row ranks after the
--    staged rows it ties with and their file name and row decide as in a rebuild.
TRUNCATE core.member_previous;

INSERT INTO core.member_previous
    (kpj, nik, name, segment, status, paid_through, village_code, payer, exported_on,
     received_date)
SELECT
    kpj, nik, name, segment, status, paid_through, village_code, payer, exported_on,
    received_date
FROM core.member_latest
WHERE (SELECT merge_after FROM core.member_build) IS NOT NULL;

TRUNCATE core.member_latest;

INSERT INTO core.member_latest
    (kpj, nik, name, segment, status, paid_through, village_code, payer, exported_on,
     received_date)
WITH candidates AS (
    SELECT
        k.kpj, k.nik, k.name, k.segment, k.status, k.paid_through, k.village_code, k.payer,
        k.exported_on, k.received_date, 0 AS staged, CAST(NULL AS VARCHAR) AS file_name,
        CAST(NULL AS INTEGER) AS row_number
    FROM core.member_previous AS k
    UNION ALL
    SELECT
        m.kpj, m.nik, m.name, m.segment, m.status, m.paid_through, m.village_code, m.payer,
        m.exported_on, m.received_date, 1, m.file_name, m.row_number
    FROM staging.member_exports AS m
    WHERE m.received_date <= CAST(:as_of AS DATE)
      AND m.received_date > COALESCE(
          (SELECT merge_after FROM core.member_build), CAST('0001-01-01' AS DATE)
      )
),
ranked AS (
    SELECT
        c.*,
        ROW_NUMBER() OVER (
            PARTITION BY c.kpj COLLATE "C"
            ORDER BY c.exported_on DESC, c.received_date DESC, c.staged DESC,
                     c.file_name COLLATE "C" DESC, c.row_number DESC
        ) AS pick
    FROM candidates AS c
    WHERE (SELECT merge_after FROM core.member_build) IS DISTINCT FROM CAST(:as_of AS DATE)
)
SELECT
    kpj, nik, name, segment, status, paid_through, village_code, payer, exported_on,
    received_date
FROM ranked
WHERE pick = 1;

INSERT INTO core.member_latest
    (kpj, nik, name, segment, status, paid_through, village_code, payer, exported_on,
     received_date)
SELECT
    kpj, nik, name, segment, status, paid_through, village_code, payer, exported_on,
    received_date
FROM core.member_previous
WHERE (SELECT merge_after FROM core.member_build) = CAST(:as_of AS DATE);

-- (Building into a second table and swapping the two tables' names would save a copy:
-- on DuckDB 2.0 a later query of the same transaction then read no row of the renamed
-- table once it held some 200,000 rows.)
TRUNCATE core.member_previous;

-- 3b. The NIKs ever enrolled, from the same plan: emptied for a rebuild, else the NIKs of
--     the rows received after merge_after added (nothing, with nothing to merge).
DELETE FROM core.member_enrolled
WHERE (SELECT merge_after FROM core.member_build) IS NULL;

INSERT INTO core.member_enrolled (nik)
SELECT DISTINCT m.nik
FROM staging.member_exports AS m
WHERE m.received_date <= CAST(:as_of AS DATE)
  AND m.received_date > COALESCE(
      (SELECT merge_after FROM core.member_build), CAST('0001-01-01' AS DATE)
  )
  AND (SELECT merge_after FROM core.member_build) IS DISTINCT FROM CAST(:as_of AS DATE)
  AND NOT EXISTS (SELECT 1 FROM core.member_enrolled AS e WHERE e.nik = m.nik);

-- 4. The new basis: built through :as_of, from the files read in step 1.
UPDATE core.member_build SET built_through = CAST(:as_of AS DATE);

DELETE FROM core.member_basis;

INSERT INTO core.member_basis (sha256, file_name, received_date, rows_loaded, loaded_at)
SELECT sha256, file_name, received_date, rows_loaded, loaded_at
FROM core.member_staged;

-- Fresh statistics for the models that join it (PostgreSQL would plan for an empty table).
ANALYZE core.member_latest;
ANALYZE core.member_enrolled;
