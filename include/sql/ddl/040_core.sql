-- Core models: the rules of CONTRACT §4 applied as of one snapshot_date. Every table is
-- keyed by snapshot_date and rebuilt for that date only, so history is kept and a re-run
-- or backfill of a date replaces exactly that date.
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

CREATE TABLE IF NOT EXISTS core.member_state (
    snapshot_date DATE NOT NULL,
    kpj VARCHAR NOT NULL,
    nik VARCHAR NOT NULL,
    segment VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    paid_through DATE NOT NULL,
    village_code VARCHAR
);

CREATE TABLE IF NOT EXISTS core.member_coverage (
    snapshot_date DATE NOT NULL,
    nik VARCHAR NOT NULL,
    is_covered BOOLEAN NOT NULL,
    is_in_arrears BOOLEAN NOT NULL,
    covering_village_code VARCHAR
);

CREATE TABLE IF NOT EXISTS core.poverty_status (
    snapshot_date DATE NOT NULL,
    nik VARCHAR NOT NULL,
    village_code VARCHAR NOT NULL,
    decile INTEGER NOT NULL,
    is_poor BOOLEAN NOT NULL
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
