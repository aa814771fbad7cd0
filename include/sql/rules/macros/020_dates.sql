-- Dates and months (CONTRACT §2): ISO (1990-03-12), 12/03/1990, 12-03-1990, Indonesian
-- long form (12 Maret 1990, 12 Mar 1990), or a real Excel date cell.
--
-- Choices the contract leaves open:
-- * A date may carry a time after it ("1990-03-12 00:00:00", "12/03/1990 08:00"), as
--   database exports write them; day first always; two-digit years are refused.
-- * English month names are accepted besides the Indonesian ones (no name means different
--   months in the two languages).
-- * Nothing outside 1900-2100 is a date, whatever its form, Excel date cells included
--   (the reader drops those); a number in a date column (an Excel serial whose cell lost
--   its date format) is not a date.
-- * A month (paid_through) is YYYY-MM, MM-YYYY, "Mei 2025", or any date: its month.
-- The forms cannot match the same text, so their order does not matter; the year range
-- is part of each pattern, and an impossible day (31/02) fails the cast.

CREATE OR REPLACE MACRO re_year() AS '(19[0-9]{2}|20[0-9]{2}|2100)';
-- An optional time after a date: " 08:30", "T08:30:00", " 08.30.00.000".
CREATE OR REPLACE MACRO re_time() AS
    '(?:(?:[' || re_spaces() || ']+|[tT])[0-9]{1,2}[:.][0-9]{2}(?:[:.][0-9]{2}(?:\.[0-9]+)?)?)?';
CREATE OR REPLACE MACRO re_gap() AS '[' || re_spaces() || '.\x{2D}]*';

-- Month names, Indonesian (full, abbreviated, old spellings) and English.
CREATE OR REPLACE MACRO month_names() AS
    MAP {
        'januari': 1, 'februari': 2, 'pebruari': 2, 'maret': 3, 'april': 4, 'mei': 5,
        'juni': 6, 'juli': 7, 'agustus': 8, 'september': 9, 'oktober': 10, 'november': 11,
        'nopember': 11, 'desember': 12,
        'jan': 1, 'feb': 2, 'peb': 2, 'mar': 3, 'apr': 4, 'jun': 6, 'jul': 7, 'agu': 8,
        'agt': 8, 'ags': 8, 'agust': 8, 'sep': 9, 'sept': 9, 'okt': 10, 'nov': 11, 'nop': 11,
        'des': 12,
        'january': 1, 'february': 2, 'march': 3, 'may': 5, 'june': 6, 'july': 7,
        'august': 8, 'aug': 8, 'october': 10, 'oct': 10, 'december': 12, 'dec': 12
    };
CREATE OR REPLACE MACRO month_number(name) AS month_names()[lower(name)];

-- A date written as text, or NULL.
CREATE OR REPLACE MACRO date_of_text(t) AS
    CASE
        WHEN regexp_full_match(t, re_year() || '-[0-9]{1,2}-[0-9]{1,2}' || re_time())
            THEN TRY_CAST(regexp_replace(
                t, '^' || re_year() || '-([0-9]{1,2})-([0-9]{1,2})(?s:.*)$', '\1-\2-\3'
            ) AS DATE)
        WHEN regexp_full_match(t, '[0-9]{1,2}[/-][0-9]{1,2}[/-]' || re_year() || re_time())
            THEN TRY_CAST(regexp_replace(
                t, '^([0-9]{1,2})[/-]([0-9]{1,2})[/-]' || re_year() || '(?s:.*)$', '\3-\2-\1'
            ) AS DATE)
        WHEN regexp_full_match(t, '[0-9]{1,2}' || re_gap() || '[A-Za-z]+\.?' || re_gap() || re_year())
            THEN TRY_CAST(
                regexp_extract(t, re_year() || '$', 1) || '-'
                || month_number(regexp_extract(t, '[A-Za-z]+')) || '-'
                || regexp_extract(t, '^[0-9]{1,2}') AS DATE
            )
    END;

-- The first day of a month written as text, or NULL.
CREATE OR REPLACE MACRO month_of_text(t) AS
    CASE
        WHEN regexp_full_match(t, re_year() || '[/-][0-9]{1,2}')
            THEN TRY_CAST(regexp_replace(t, '^' || re_year() || '[/-]([0-9]{1,2})$', '\1-\2-1') AS DATE)
        WHEN regexp_full_match(t, '[0-9]{1,2}[/-]' || re_year())
            THEN TRY_CAST(regexp_replace(t, '^([0-9]{1,2})[/-]' || re_year() || '$', '\2-\1-1') AS DATE)
        WHEN regexp_full_match(t, '[A-Za-z]+\.?' || re_gap() || re_year())
            THEN TRY_CAST(
                regexp_extract(t, re_year() || '$', 1) || '-'
                || month_number(regexp_extract(t, '^[A-Za-z]+')) || '-1' AS DATE
            )
        ELSE CAST(date_trunc('month', date_of_text(t)) AS DATE)
    END;

-- A date column's value: the date cell, else its text read as a date.
CREATE OR REPLACE MACRO date_value(t, cell_date) AS
    coalesce(cell_date, date_of_text(trimmed(t)));
CREATE OR REPLACE MACRO month_value(t, cell_date) AS
    coalesce(CAST(date_trunc('month', cell_date) AS DATE), month_of_text(trimmed(t)));
-- An optional date that defaults to the file's received date when the cell is empty.
CREATE OR REPLACE MACRO date_or_received(t, cell, cell_date) AS
    CASE
        WHEN text_value(t, cell) IS NULL THEN getvariable('received_date')
        ELSE date_value(t, cell_date)
    END;
