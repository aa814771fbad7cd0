-- Published tables (CONTRACT §5). No full NIK, name, phone or address in this schema.
CREATE TABLE IF NOT EXISTS mart.coverage_village (
    snapshot_date DATE NOT NULL,
    village_code VARCHAR NOT NULL,
    village_name VARCHAR NOT NULL,
    village_type VARCHAR NOT NULL,
    district_code VARCHAR NOT NULL,
    district_name VARCHAR NOT NULL,
    regency_code VARCHAR NOT NULL,
    regency_name VARCHAR NOT NULL,
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
    first_submitted_on DATE,
    submission_status VARCHAR NOT NULL,
    PRIMARY KEY (snapshot_date, village_code)
);

CREATE TABLE IF NOT EXISTS mart.coverage_district (
    snapshot_date DATE NOT NULL,
    district_code VARCHAR NOT NULL,
    district_name VARCHAR NOT NULL,
    regency_code VARCHAR NOT NULL,
    regency_name VARCHAR NOT NULL,
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
    PRIMARY KEY (snapshot_date, district_code)
);

CREATE TABLE IF NOT EXISTS mart.coverage_regency (
    snapshot_date DATE NOT NULL,
    regency_code VARCHAR NOT NULL,
    regency_name VARCHAR NOT NULL,
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
    workforce_estimate BIGINT,
    members_covered INTEGER NOT NULL,
    workforce_coverage_pct DECIMAL(9, 2),
    workforce_target_pct DECIMAL(9, 2),
    PRIMARY KEY (snapshot_date, regency_code)
);

CREATE TABLE IF NOT EXISTS mart.coverage_province (
    snapshot_date DATE NOT NULL PRIMARY KEY,
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
    workforce_estimate BIGINT,
    members_covered INTEGER NOT NULL,
    workforce_coverage_pct DECIMAL(9, 2),
    workforce_target_pct DECIMAL(9, 2),
    members_unattributed INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS mart.data_quality (
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
    flags_by_reason VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS mart.rejected_rows (
    source VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    row_number INTEGER NOT NULL,
    reason VARCHAR NOT NULL,
    village_code VARCHAR,
    nik_masked VARCHAR
);

CREATE TABLE IF NOT EXISTS mart.duplicate_proposals (
    nik_masked VARCHAR NOT NULL,
    kept_village_code VARCHAR NOT NULL,
    duplicate_village_code VARCHAR NOT NULL,
    kept_submitted_on DATE NOT NULL,
    duplicate_submitted_on DATE NOT NULL
);
