-- One village of the official list by its 10-digit code: no row means the code is unknown.
SELECT village_code, village_name, village_type, district_name, regency_code, regency_name
FROM ref.village
WHERE village_code = :village_code;
