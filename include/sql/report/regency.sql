-- One regency of the official list by its 4-digit code: no row means the code is unknown.
SELECT regency_code, regency_name
FROM ref.regency
WHERE regency_code = :regency_code;
