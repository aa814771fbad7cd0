-- In-process DuckDB (cakupan.marts.linkage), with the row rules' macros loaded
-- (rules/macros/030_nik.sql). 030, 035 and 040 shape the rows of 010 (proposed_in) and 020
-- for Splink: one table per side (link_proposed, link_candidate) with the same columns.
-- 030 keys the proposed rows; 035 keeps, as 020's rows stream in (candidates_in), the
-- candidates sharing a blocking key with a proposed NIK: the others can never be compared
-- (at province scale all but a few thousand of 5.5 million), so they are never stored or
-- cleaned; 040 numbers and cleans both sides, a candidate record once. Columns:
--   unique_id  a number in a fixed order within its side (the rows arrive from either engine
--              in any order);
--   name       upper case, accents and anything but letters and single spaces removed;
--   birth      DDMMYY, the way a NIK writes it: a submission's or register row's birth date,
--              else (member exports have none) the NIK's digits 7-12 with 40 taken off a
--              woman's day (the rules' nik_day);
--   block_s    the source and the NIK without its four digits s..s+3. One changed digit or
--              two adjacent digits swapped lie within one of the windows starting at
--              1, 3, 5, 7, 9, 11, 13, so a typo and its true NIK share at least one key;
--              and 12 equal digits keep every block small at province scale.
CREATE OR REPLACE MACRO link_name(name) AS
    nullif(
        trim(regexp_replace(
            regexp_replace(strip_accents(upper(name)), '[^A-Z ]', ' ', 'g'), ' +', ' ', 'g'
        )),
        ''
    );

CREATE OR REPLACE MACRO nik_birth(nik) AS
    lpad(CAST(nik_day(nik_number(nik)) % 40 AS VARCHAR), 2, '0') || substr(nik, 9, 4);

CREATE OR REPLACE MACRO nik_without(source, nik, start) AS
    source || ':' || left(nik, start - 1) || '|' || substr(nik, start + 4);

-- A table's rows (010's or 020's columns) with their seven blocking keys.
CREATE OR REPLACE MACRO link_keyed(records) AS TABLE
SELECT
    candidate_source,
    nik,
    village_code,
    name,
    CAST(birth_date AS DATE) AS birth_date,
    nik_without(candidate_source, nik, 1) AS block_1,
    nik_without(candidate_source, nik, 3) AS block_3,
    nik_without(candidate_source, nik, 5) AS block_5,
    nik_without(candidate_source, nik, 7) AS block_7,
    nik_without(candidate_source, nik, 9) AS block_9,
    nik_without(candidate_source, nik, 11) AS block_11,
    nik_without(candidate_source, nik, 13) AS block_13
FROM query_table(records);

CREATE OR REPLACE TABLE link_proposed_keyed AS
SELECT * FROM link_keyed('proposed_in');

CREATE OR REPLACE TABLE link_candidate_kept AS
SELECT * FROM link_proposed_keyed LIMIT 0;
