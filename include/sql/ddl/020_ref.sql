-- Official Kemendagri codes (include/reference/wilayah_sumsel), replaced on every load.
CREATE TABLE IF NOT EXISTS ref.regency (
    regency_code VARCHAR NOT NULL PRIMARY KEY,
    regency_name VARCHAR NOT NULL,
    regency_type VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS ref.district (
    district_code VARCHAR NOT NULL PRIMARY KEY,
    district_name VARCHAR NOT NULL,
    regency_code VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS ref.village (
    village_code VARCHAR NOT NULL PRIMARY KEY,
    village_name VARCHAR NOT NULL,
    village_type VARCHAR NOT NULL,
    district_code VARCHAR NOT NULL,
    district_name VARCHAR NOT NULL,
    regency_code VARCHAR NOT NULL,
    regency_name VARCHAR NOT NULL
);

-- Settings in force for the snapshot being built (rewritten at the start of each build):
-- one row per regency with its resolved village target, and one province row.
CREATE TABLE IF NOT EXISTS ref.regency_target (
    regency_code VARCHAR NOT NULL PRIMARY KEY,
    village_target INTEGER,
    workforce_estimate BIGINT,
    workforce_target_pct DECIMAL(9, 2),
    submission_deadline DATE
);

CREATE TABLE IF NOT EXISTS ref.province_target (
    province_code VARCHAR NOT NULL PRIMARY KEY,
    province_name VARCHAR NOT NULL,
    workforce_estimate BIGINT,
    workforce_target_pct DECIMAL(9, 2)
);
