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

CREATE OR REPLACE MACRO nik_shape_ok(nik) AS coalesce(regexp_full_match(nik, '[0-9]{16}'), false);
CREATE OR REPLACE MACRO nik_part(nik, start, len) AS TRY_CAST(substr(nik, start, len) AS INTEGER);
CREATE OR REPLACE MACRO nik_day(nik) AS nik_part(nik, 7, 2);

-- Province codes of Kemendagri (digits 1-2).
CREATE OR REPLACE MACRO nik_provinces() AS [
    11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33, 34, 35, 36, 51, 52, 53,
    61, 62, 63, 64, 65, 71, 72, 73, 74, 75, 76, 81, 82, 91, 92, 93, 94, 95, 96
];
CREATE OR REPLACE MACRO nik_province_ok(nik) AS list_contains(nik_provinces(), nik_part(nik, 1, 2));

CREATE OR REPLACE MACRO nik_valid(nik) AS
    nik_shape_ok(nik)
    AND nik_province_ok(nik)
    AND (nik_day(nik) BETWEEN 1 AND 31 OR nik_day(nik) BETWEEN 41 AND 71)
    AND nik_part(nik, 9, 2) BETWEEN 1 AND 12
    AND substr(nik, 13, 4) <> '0000';

CREATE OR REPLACE MACRO flag_birth_date_mismatch(nik, birth_date) AS
    coalesce(
        nik_shape_ok(nik)
        AND birth_date IS NOT NULL
        AND NOT (
            nik_day(nik) IN (day(birth_date), day(birth_date) + 40)
            AND nik_part(nik, 9, 2) = month(birth_date)
            AND nik_part(nik, 11, 2) = year(birth_date) % 100
        ),
        false
    );

CREATE OR REPLACE MACRO flag_sex_mismatch(nik, sex) AS
    coalesce(
        nik_shape_ok(nik)
        AND (
            (sex = 'L' AND nik_day(nik) BETWEEN 41 AND 71)
            OR (sex = 'P' AND nik_day(nik) BETWEEN 1 AND 31)
        ),
        false
    );

-- Issued outside Sumatera Selatan (16); a NIK says where it was first issued, not an address.
CREATE OR REPLACE MACRO flag_outside_province(nik) AS
    coalesce(nik_shape_ok(nik) AND substr(nik, 1, 2) <> '16', false);

CREATE OR REPLACE MACRO mask_nik(nik) AS
    CASE
        WHEN length(nik) >= 11 THEN left(nik, 6) || repeat('*', length(nik) - 10) || right(nik, 4)
        ELSE repeat('*', length(nik))
    END;
