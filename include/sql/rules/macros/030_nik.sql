-- What a NIK's digits say (CONTRACT §3: invalid_nik and the NIK flags).
-- A NIK is PPRRDD DDMMYY SSSS: province, regency, district, then the birth date (women
-- have 40 added to the day), then a serial.
--
-- Choices:
-- * Birth date: the NIK's own date is decoded (a day above 40 minus 40) and compared with
--   birth_date whatever sex the row declares, so a row whose only mistake is the sex column
--   carries nik_sex_mismatch alone. The year is compared on its last two digits.
-- * Sex: day 01-31 means L, 41-71 means P.
-- * Every flag is false for a malformed NIK (it is rejected as invalid_nik first) and when
--   the compared value is missing.
-- * Masking keeps the first 6 and last 4 characters only when at least one is hidden
--   (11 characters or more); shorter values are all stars.

-- The rules read a NIK as a number, parsed once per row: NULL unless exactly 16 ASCII
-- digits (so every rule below is false for a malformed NIK), then digits by arithmetic.
CREATE OR REPLACE MACRO nik_number(nik) AS
    CASE WHEN regexp_full_match(nik, '[0-9]{16}') THEN CAST(nik AS BIGINT) END;
CREATE OR REPLACE MACRO nik_province(n) AS n // 100000000000000;
CREATE OR REPLACE MACRO nik_day(n) AS n // 100000000 % 100;
CREATE OR REPLACE MACRO nik_month(n) AS n // 1000000 % 100;
CREATE OR REPLACE MACRO nik_year(n) AS n // 10000 % 100;
CREATE OR REPLACE MACRO nik_serial(n) AS n % 10000;

-- Province codes of Kemendagri (digits 1-2).
CREATE OR REPLACE MACRO nik_provinces() AS [
    11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33, 34, 35, 36, 51, 52, 53,
    61, 62, 63, 64, 65, 71, 72, 73, 74, 75, 76, 81, 82, 91, 92, 93, 94, 95, 96
];

CREATE OR REPLACE MACRO nik_valid(n) AS
    coalesce(
        list_contains(nik_provinces(), nik_province(n))
        AND (nik_day(n) BETWEEN 1 AND 31 OR nik_day(n) BETWEEN 41 AND 71)
        AND nik_month(n) BETWEEN 1 AND 12
        AND nik_serial(n) <> 0,
        false
    );

CREATE OR REPLACE MACRO flag_birth_date_mismatch(n, birth_date) AS
    coalesce(
        NOT (
            nik_day(n) IN (day(birth_date), day(birth_date) + 40)
            AND nik_month(n) = month(birth_date)
            AND nik_year(n) = year(birth_date) % 100
        ),
        false
    );

CREATE OR REPLACE MACRO flag_sex_mismatch(n, sex) AS
    coalesce(
        (sex = 'L' AND nik_day(n) BETWEEN 41 AND 71) OR (sex = 'P' AND nik_day(n) BETWEEN 1 AND 31),
        false
    );

-- Issued outside Sumatera Selatan (16); a NIK says where it was first issued, not an address.
CREATE OR REPLACE MACRO flag_outside_province(n) AS coalesce(nik_province(n) <> 16, false);

CREATE OR REPLACE MACRO mask_nik(nik) AS
    CASE
        WHEN length(nik) >= 11 THEN left(nik, 6) || repeat('*', length(nik) - 10) || right(nik, 4)
        ELSE repeat('*', length(nik))
    END;
