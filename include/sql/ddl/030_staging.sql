-- One row per file seen. A file's ledger row, its loaded rows and its rejected rows are
-- written in one transaction, so they exist together or not at all.
CREATE TABLE IF NOT EXISTS staging.file_ledger (
    source VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    received_date DATE NOT NULL,
    status VARCHAR NOT NULL,
    error VARCHAR,
    rows_read INTEGER NOT NULL,
    rows_loaded INTEGER NOT NULL,
    rows_rejected INTEGER NOT NULL,
    rejected_by_reason VARCHAR NOT NULL,
    flags_by_reason VARCHAR NOT NULL,
    header_row INTEGER,
    run_id VARCHAR,
    loaded_at TIMESTAMP NOT NULL,
    village_code VARCHAR,
    PRIMARY KEY (source, file_name, sha256)
);
-- A rejected file's village, when its village-code column could be read (added later:
-- warehouses made before it get the column here).
ALTER TABLE staging.file_ledger ADD COLUMN IF NOT EXISTS village_code VARCHAR;

-- Rejected rows keep what the village operator needs to find and fix the row. Personal
-- fields stay in staging: mart.rejected_rows only shows nik_masked.
CREATE TABLE IF NOT EXISTS staging.rejected_rows (
    source VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    received_date DATE NOT NULL,
    row_number INTEGER NOT NULL,
    reason VARCHAR NOT NULL,
    village_code VARCHAR,
    nik VARCHAR,
    nik_masked VARCHAR,
    row_data VARCHAR
);

CREATE TABLE IF NOT EXISTS staging.village_submissions (
    sha256 VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    received_date DATE NOT NULL,
    row_number INTEGER NOT NULL,
    village_code VARCHAR NOT NULL,
    nik VARCHAR NOT NULL,
    nik_masked VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    birth_date DATE NOT NULL,
    sex VARCHAR,
    occupation VARCHAR,
    submitted_on DATE NOT NULL,
    address VARCHAR,
    phone VARCHAR,
    nik_birth_date_mismatch BOOLEAN NOT NULL,
    nik_sex_mismatch BOOLEAN NOT NULL,
    nik_outside_province BOOLEAN NOT NULL
);

CREATE TABLE IF NOT EXISTS staging.poverty_lists (
    sha256 VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    received_date DATE NOT NULL,
    row_number INTEGER NOT NULL,
    nik VARCHAR NOT NULL,
    family_number VARCHAR,
    name VARCHAR NOT NULL,
    birth_date DATE,
    village_code VARCHAR NOT NULL,
    decile INTEGER NOT NULL,
    nik_birth_date_mismatch BOOLEAN NOT NULL,
    nik_sex_mismatch BOOLEAN NOT NULL,
    nik_outside_province BOOLEAN NOT NULL
);

CREATE TABLE IF NOT EXISTS staging.member_exports (
    sha256 VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    received_date DATE NOT NULL,
    row_number INTEGER NOT NULL,
    kpj VARCHAR NOT NULL,
    nik VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    segment VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    paid_through DATE NOT NULL,
    enrolled_on DATE,
    exported_on DATE NOT NULL,
    village_code VARCHAR,
    payer VARCHAR,
    nik_birth_date_mismatch BOOLEAN NOT NULL,
    nik_sex_mismatch BOOLEAN NOT NULL,
    nik_outside_province BOOLEAN NOT NULL
);
