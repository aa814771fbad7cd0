-- Core models: the rules of CONTRACT §4 applied as of one snapshot_date.
--
-- Two kinds of table (docs/decisions.md, "Working sets and history"):
-- * per-person WORKING SETS (proposed_worker, member_latest, member_coverage,
--   poverty_latest, member_village) hold only the date being built: every snapshot
--   empties and refills them, except member_latest and poverty_latest, which are kept
--   and brought to the date from the files staged since (see their comments). Keeping
--   them per date would add millions of rows a day (the register alone is 4 million)
--   that every later snapshot scans again, for no reader: the marts and the history are
--   village-level.
--   On PostgreSQL they, and the kept state's helpers, are UNLOGGED: a crash empties them
--   and the next snapshot rebuilds them (cakupan.warehouse.schema.REBUILDABLE_TABLES, which
--   a new working set joins).
-- * HISTORY tables (duplicate_proposal, village_snapshot, unit_snapshot) are keyed by
--   snapshot_date and rebuilt for that date only, so a re-run or backfill of a date
--   replaces exactly that date.
--
-- Ids, codes and file names are ordered COLLATE "C" (byte order) in the models: the picks
-- among ties are then the same on DuckDB (always byte order) and on a PostgreSQL database
-- of any locale, and PostgreSQL sorts millions of NIKs without the locale's strcoll.
CREATE TABLE IF NOT EXISTS core.proposed_worker (
    snapshot_date DATE NOT NULL,
    nik VARCHAR NOT NULL,
    nik_masked VARCHAR NOT NULL,
    village_code VARCHAR NOT NULL,
    submitted_on DATE NOT NULL,
    age_on_submission INTEGER NOT NULL,
    is_eligible BOOLEAN NOT NULL
);

CREATE TABLE IF NOT EXISTS core.duplicate_proposal (
    snapshot_date DATE NOT NULL,
    nik VARCHAR NOT NULL,
    nik_masked VARCHAR NOT NULL,
    kept_village_code VARCHAR NOT NULL,
    duplicate_village_code VARCHAR NOT NULL,
    kept_submitted_on DATE NOT NULL,
    duplicate_submitted_on DATE NOT NULL
);

-- The member state of each KPJ (CONTRACT §4), KEPT between snapshots and built
-- incrementally (core/030_member_state.sql, docs/decisions.md): one row per KPJ, the
-- latest of its rows received <= core.member_build.built_through, with the two columns
-- of their order that a later merge needs (core/030 says why its file and row are not).
-- payer is carried for the covering KPJ's payer (CONTRACT §5.1). Replaces
-- core.member_state, rebuilt in every snapshot from every export ever staged.
DROP TABLE IF EXISTS core.member_state;

CREATE TABLE IF NOT EXISTS core.member_latest (
    kpj VARCHAR NOT NULL,
    nik VARCHAR NOT NULL,
    segment VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    paid_through DATE NOT NULL,
    village_code VARCHAR,
    payer VARCHAR,
    exported_on DATE NOT NULL,
    received_date DATE NOT NULL
);

-- Every NIK on any KPJ row received <= built_through (CONTRACT §4 "Enrolled": any row,
-- not only a KPJ's latest: a NIK that BPJS later corrected on its KPJ stays enrolled).
-- Kept and built with core.member_latest, from the same plan (core/030_member_state.sql).
CREATE TABLE IF NOT EXISTS core.member_enrolled (
    nik VARCHAR NOT NULL
);

-- Its basis. One row: the date the state is built through, and the plan of the latest
-- build (merged the rows received after merge_after; NULL: rebuilt; the date itself:
-- nothing to merge).
CREATE TABLE IF NOT EXISTS core.member_build (
    built_through DATE,
    merge_after DATE
);

-- The ledger's member-export files the state was built from; a file missing from the
-- ledger, or there with another received date, row count or load time, forces a rebuild.
CREATE TABLE IF NOT EXISTS core.member_basis (
    sha256 VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    received_date DATE NOT NULL,
    rows_loaded INTEGER NOT NULL,
    loaded_at TIMESTAMP NOT NULL
);

-- Working tables of one build: the kept state set aside while member_latest is
-- refilled (the same columns), and the ledger's files read at its start (its next basis).
CREATE TABLE IF NOT EXISTS core.member_previous AS
SELECT * FROM core.member_latest LIMIT 0;

CREATE TABLE IF NOT EXISTS core.member_staged (
    sha256 VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    received_date DATE NOT NULL,
    rows_loaded INTEGER NOT NULL,
    loaded_at TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS core.member_coverage (
    snapshot_date DATE NOT NULL,
    nik VARCHAR NOT NULL,
    is_covered BOOLEAN NOT NULL,
    is_in_arrears BOOLEAN NOT NULL,
    covering_village_code VARCHAR
);

-- Each NIK's latest register row. It depends only on which register files were loaded
-- (received <= the date), not on the date itself, so it is rebuilt only when that set of
-- files changes (``basis``, a digest of the files): the register arrives monthly, the
-- snapshot runs daily. Replaces core.poverty_status, which kept a copy per date.
DROP TABLE IF EXISTS core.poverty_status;

CREATE TABLE IF NOT EXISTS core.poverty_latest (
    basis VARCHAR NOT NULL,
    nik VARCHAR NOT NULL,
    village_code VARCHAR NOT NULL,
    decile INTEGER NOT NULL
);

-- The basis of the date being built (one row); poverty_latest rows of another are stale.
CREATE TABLE IF NOT EXISTS core.poverty_basis (
    digest VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS core.member_village (
    snapshot_date DATE NOT NULL,
    nik VARCHAR NOT NULL,
    village_code VARCHAR
);

CREATE TABLE IF NOT EXISTS core.village_snapshot (
    snapshot_date DATE NOT NULL,
    village_code VARCHAR NOT NULL,
    workers_proposed INTEGER NOT NULL,
    workers_eligible INTEGER NOT NULL,
    workers_enrolled INTEGER NOT NULL,
    workers_covered INTEGER NOT NULL,
    workers_in_arrears INTEGER NOT NULL,
    rows_rejected INTEGER NOT NULL,
    target_workers INTEGER,
    poor_listed INTEGER NOT NULL,
    poor_covered INTEGER NOT NULL,
    members_covered INTEGER NOT NULL,
    first_submitted_on DATE,
    submission_status VARCHAR NOT NULL,
    is_expected BOOLEAN NOT NULL,
    has_deadline BOOLEAN NOT NULL
);

-- Every reporting level in one table (village, district, regency, province), so each
-- percentage is computed by one expression in one model.
CREATE TABLE IF NOT EXISTS core.unit_snapshot (
    snapshot_date DATE NOT NULL,
    unit_level VARCHAR NOT NULL,
    unit_code VARCHAR NOT NULL,
    workers_proposed INTEGER NOT NULL,
    workers_eligible INTEGER NOT NULL,
    workers_enrolled INTEGER NOT NULL,
    workers_covered INTEGER NOT NULL,
    workers_in_arrears INTEGER NOT NULL,
    rows_rejected INTEGER NOT NULL,
    target_workers INTEGER,
    target_attainment_pct DECIMAL(9, 2),
    coverage_pct DECIMAL(9, 2),
    poor_listed INTEGER NOT NULL,
    poor_covered INTEGER NOT NULL,
    villages_expected INTEGER NOT NULL,
    villages_submitted INTEGER NOT NULL,
    villages_on_time INTEGER NOT NULL,
    reporting_rate_pct DECIMAL(9, 2),
    on_time_rate_pct DECIMAL(9, 2),
    members_covered INTEGER NOT NULL,
    workforce_estimate BIGINT,
    workforce_coverage_pct DECIMAL(9, 2),
    workforce_target_pct DECIMAL(9, 2)
);

-- Warnings of the GX audit of the published tables (cakupan.checks.audit): failed
-- warning-level expectations, replaced per snapshot_date in the snapshot's transaction and
-- shown in the report. Critical failures are not stored: they roll the snapshot back.
-- Counts and sentences only, never a cell value. Kept in core: the contract fixes mart.
CREATE TABLE IF NOT EXISTS core.audit_warning (
    snapshot_date DATE NOT NULL,
    table_name VARCHAR NOT NULL,
    check_name VARCHAR NOT NULL,
    expectation VARCHAR NOT NULL,
    unexpected_count INTEGER,
    element_count INTEGER,
    message VARCHAR NOT NULL
);
