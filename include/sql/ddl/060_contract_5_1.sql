-- Columns and tables added since the contract's first edition (CONTRACT §5.1).
--
-- New columns are appended with ADD COLUMN IF NOT EXISTS, not written into the CREATE
-- TABLEs above: a warehouse built before them gains them in place (CREATE TABLE IF NOT
-- EXISTS would leave it as it was), and a new one gets the same column order. They are
-- nullable for that reason: a snapshot built before a column existed holds NULL there
-- (never computed), every snapshot built since holds its value.

-- The linkage of proposed NIKs with no exact match (core/065_probable_match, a Python
-- model: cakupan.marts.linkage): a WORKING SET holding only the date being built, as
-- core.member_coverage.
--   nik            the proposed worker's NIK, found in no row of candidate_source
--   candidate_nik  the NIK of a record of candidate_source that looks like the same person
--   candidate_nik_masked  candidate_nik masked by the row rules' mask_nik (for the mart)
--   match_probability  Splink's, rounded to 4 decimals where it is computed
CREATE TABLE IF NOT EXISTS core.probable_match (
    snapshot_date DATE NOT NULL,
    nik VARCHAR NOT NULL,
    village_code VARCHAR NOT NULL,
    candidate_nik VARCHAR NOT NULL,
    candidate_source VARCHAR NOT NULL,
    match_probability DOUBLE PRECISION NOT NULL
);
ALTER TABLE core.probable_match ADD COLUMN IF NOT EXISTS candidate_nik_masked VARCHAR;

-- What the linkage compares: the kept submission row's name and birth date of a proposed
-- worker (core/010), and the name (and, for the register, birth date) on the kept state of
-- a member's KPJ and of a register NIK (core/030, core/050; a kept state built before these
-- columns is rebuilt once).
ALTER TABLE core.proposed_worker ADD COLUMN IF NOT EXISTS name VARCHAR;
ALTER TABLE core.proposed_worker ADD COLUMN IF NOT EXISTS birth_date DATE;
ALTER TABLE core.member_latest ADD COLUMN IF NOT EXISTS name VARCHAR;
ALTER TABLE core.member_previous ADD COLUMN IF NOT EXISTS name VARCHAR;
ALTER TABLE core.poverty_latest ADD COLUMN IF NOT EXISTS name VARCHAR;
ALTER TABLE core.poverty_latest ADD COLUMN IF NOT EXISTS birth_date DATE;

-- A covered NIK one of whose covering KPJs is paid by the village fund (payer APBDES).
ALTER TABLE core.member_coverage ADD COLUMN IF NOT EXISTS is_paid_by_village BOOLEAN;

ALTER TABLE core.village_snapshot ADD COLUMN IF NOT EXISTS workers_probably_covered INTEGER;
ALTER TABLE core.village_snapshot ADD COLUMN IF NOT EXISTS workers_awaiting_enrolment INTEGER;
ALTER TABLE core.village_snapshot ADD COLUMN IF NOT EXISTS workers_paid_by_village INTEGER;
ALTER TABLE core.village_snapshot ADD COLUMN IF NOT EXISTS village_budget_idr_per_year BIGINT;

ALTER TABLE core.unit_snapshot ADD COLUMN IF NOT EXISTS workers_probably_covered INTEGER;
ALTER TABLE core.unit_snapshot ADD COLUMN IF NOT EXISTS workers_awaiting_enrolment INTEGER;
ALTER TABLE core.unit_snapshot ADD COLUMN IF NOT EXISTS workers_paid_by_village INTEGER;
ALTER TABLE core.unit_snapshot ADD COLUMN IF NOT EXISTS village_budget_idr_per_year BIGINT;

ALTER TABLE mart.coverage_village ADD COLUMN IF NOT EXISTS workers_probably_covered INTEGER;
ALTER TABLE mart.coverage_village ADD COLUMN IF NOT EXISTS workers_awaiting_enrolment INTEGER;
ALTER TABLE mart.coverage_village ADD COLUMN IF NOT EXISTS workers_paid_by_village INTEGER;
ALTER TABLE mart.coverage_village ADD COLUMN IF NOT EXISTS village_budget_idr_per_year BIGINT;

ALTER TABLE mart.coverage_district ADD COLUMN IF NOT EXISTS workers_probably_covered INTEGER;
ALTER TABLE mart.coverage_district ADD COLUMN IF NOT EXISTS workers_awaiting_enrolment INTEGER;
ALTER TABLE mart.coverage_district ADD COLUMN IF NOT EXISTS workers_paid_by_village INTEGER;
ALTER TABLE mart.coverage_district ADD COLUMN IF NOT EXISTS village_budget_idr_per_year BIGINT;

ALTER TABLE mart.coverage_regency ADD COLUMN IF NOT EXISTS workers_probably_covered INTEGER;
ALTER TABLE mart.coverage_regency ADD COLUMN IF NOT EXISTS workers_awaiting_enrolment INTEGER;
ALTER TABLE mart.coverage_regency ADD COLUMN IF NOT EXISTS workers_paid_by_village INTEGER;
ALTER TABLE mart.coverage_regency ADD COLUMN IF NOT EXISTS village_budget_idr_per_year BIGINT;

ALTER TABLE mart.coverage_province ADD COLUMN IF NOT EXISTS workers_probably_covered INTEGER;
ALTER TABLE mart.coverage_province ADD COLUMN IF NOT EXISTS workers_awaiting_enrolment INTEGER;
ALTER TABLE mart.coverage_province ADD COLUMN IF NOT EXISTS workers_paid_by_village INTEGER;
ALTER TABLE mart.coverage_province ADD COLUMN IF NOT EXISTS village_budget_idr_per_year BIGINT;

-- Probable matches for an operator or a BPJS officer to confirm, per snapshot date and
-- proposing village: masked NIKs only (no table in mart holds a full NIK).
--   differing_positions  the 1-based digit positions where the two NIKs differ, "7,8"
CREATE TABLE IF NOT EXISTS mart.nik_review (
    snapshot_date DATE NOT NULL,
    village_code VARCHAR NOT NULL,
    proposed_nik_masked VARCHAR NOT NULL,
    candidate_nik_masked VARCHAR NOT NULL,
    candidate_source VARCHAR NOT NULL,
    differing_positions VARCHAR NOT NULL,
    match_probability DECIMAL(5, 4) NOT NULL
);

-- When each regency and the province reach their targets at the pace of the last
-- forecast.window_days (mart/080_coverage_forecast): workers_covered against
-- target_workers, and members_covered against the workforce target
-- (workforce_estimate x workforce_target_pct / 100) where the workforce is known.
CREATE TABLE IF NOT EXISTS mart.coverage_forecast (
    snapshot_date DATE NOT NULL,
    unit_level VARCHAR NOT NULL,
    unit_code VARCHAR NOT NULL,
    pace_workers_per_week DECIMAL(12, 2),
    workers_missing INTEGER,
    target_reached_on DATE,
    pace_members_per_week DECIMAL(12, 2),
    members_missing INTEGER,
    workforce_target_reached_on DATE,
    PRIMARY KEY (snapshot_date, unit_level, unit_code)
);
