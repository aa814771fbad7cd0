-- Cleaning raw cells into comparable values (CONTRACT §2): one macro per kind of column.
-- Run by the in-process DuckDB of the row pass (cakupan.checks.row_pass), whatever the
-- warehouse is. Each cell arrives as up to four columns, made by the reader:
--   <c>          the cell's text (every CSV cell; a text cell of a workbook), else NULL
--   <c>__cell    a typed workbook cell (number, date, boolean) as a person reads it
--   <c>__number  the typed cell is a number
--   <c>__date    the typed cell is a date between 1900 and 2100
--
-- Choices the contract leaves open:
-- * Spaces are every Unicode space (what Python's str.isspace calls whitespace); ids and
--   village codes also lose zero-width characters and a stray BOM, ids lose Unicode dashes.
-- * A numeric cell is shown as Excel shows it, with 15 significant digits, and keeps a
--   decimal point when it has one, so a non-whole number never passes as an id.
-- * A CSV NIK in Excel's scientific notation ("1.61205E+15", "1,61205E+15") counts as a
--   numeric spreadsheet cell: the operator's fix is the same (format the column as Text).
-- * Sex also accepts Pria/Wanita/Lelaki; anything else is empty. Typed cells are not a sex.
-- RE2 classes use [0-9], not \d, so Arabic-Indic or full-width digits never pass as digits.

-- The spaces as a regex class body and as a plain list of characters (for trim).
CREATE OR REPLACE MACRO re_spaces() AS
    '\t\n\x0B\x0C\r\x1C-\x1F \x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}';
CREATE OR REPLACE MACRO space_chars() AS
    chr(9) || chr(10) || chr(11) || chr(12) || chr(13) || chr(28) || chr(29) || chr(30)
    || chr(31) || ' ' || chr(133) || chr(160) || chr(5760) || chr(8192) || chr(8193)
    || chr(8194) || chr(8195) || chr(8196) || chr(8197) || chr(8198) || chr(8199)
    || chr(8200) || chr(8201) || chr(8202) || chr(8232) || chr(8233) || chr(8239)
    || chr(8287) || chr(12288);
-- Zero-width characters and the BOM, pasted from WhatsApp or Word.
CREATE OR REPLACE MACRO re_invisible() AS '\x{200B}-\x{200D}\x{2060}\x{FEFF}';
-- Excel's text prefix: a straight or typographic apostrophe, or a backtick.
CREATE OR REPLACE MACRO re_apostrophes() AS '''\x{2018}\x{2019}`';
CREATE OR REPLACE MACRO re_id_separators() AS
    re_spaces() || re_invisible() || '.\x{2D}\x{2010}-\x{2015}\x{2212}';
CREATE OR REPLACE MACRO re_village_separators() AS re_spaces() || re_invisible() || '.';

-- Spaces trimmed. trim() with this many characters is slow, so a value that begins and
-- ends with a visible ASCII character (nearly all) is taken as it is.
CREATE OR REPLACE MACRO trimmed(t) AS
    CASE
        WHEN regexp_full_match(t, '[!-~](?s:.*[!-~])?') THEN t
        ELSE trim(t, space_chars())
    END;

-- Text: spaces trimmed, empty is NULL; a typed cell counts as the text it shows.
CREATE OR REPLACE MACRO text_value(t, cell) AS nullif(trimmed(coalesce(t, cell)), '');
CREATE OR REPLACE MACRO enum_value(t, cell) AS upper(text_value(t, cell));

-- Separators removed everywhere, and a leading run of apostrophes and separators; the
-- regex runs only on what is not already bare or dotted digits (nearly every cell of a big
-- file: "1612051203900001", "16.12.05.2011").
CREATE OR REPLACE MACRO stripped(t, separators) AS
    CASE
        WHEN regexp_full_match(t, '[0-9]*') THEN t
        WHEN regexp_full_match(t, '[0-9.]*') THEN replace(t, '.', '')
        ELSE regexp_replace(
            t, '^[' || re_apostrophes() || separators || ']+|[' || separators || ']+', '', 'g'
        )
    END;
-- The NIK came from a number: a numeric cell, or Excel's scientific notation in a CSV.
CREATE OR REPLACE MACRO from_number(t, is_number) AS
    coalesce(is_number, false)
    OR CASE
        WHEN contains(t, 'e') OR contains(t, 'E')
            THEN regexp_full_match(trimmed(t), '[+-]?[0-9]+(?:[.,][0-9]+)?[eE][+-]?[0-9]+')
        ELSE false
    END;
-- Ids (NIK, KPJ, KK) and village codes; a number cell keeps the digits Excel kept, and
-- Excel's scientific notation in a CSV stays as the village's file shows it ("1.61205E+15"),
-- so the operator recognises the cell to fix (its dot is not a separator to strip).
CREATE OR REPLACE MACRO id_value(t, cell, is_number) AS
    CASE
        WHEN is_number THEN cell
        WHEN from_number(coalesce(t, cell), false) THEN trimmed(coalesce(t, cell))
        ELSE nullif(stripped(coalesce(t, cell), re_id_separators()), '')
    END;
CREATE OR REPLACE MACRO village_value(t, cell, is_number) AS
    CASE
        WHEN is_number THEN cell
        ELSE nullif(stripped(coalesce(t, cell), re_village_separators()), '')
    END;

CREATE OR REPLACE MACRO sex_value(t) AS
    MAP {
        'L': 'L', 'LK': 'L', 'LAKILAKI': 'L', 'LAKI': 'L', 'LELAKI': 'L', 'PRIA': 'L',
        'P': 'P', 'PR': 'P', 'PEREMPUAN': 'P', 'WANITA': 'P'
    }[regexp_replace(upper(t), '[^A-Z]+', '', 'g')];

-- Whole numbers ("3", "3.0", a number cell 3.0), at most 9 digits; anything else is NULL.
CREATE OR REPLACE MACRO whole_value(t, cell) AS
    CASE
        WHEN regexp_full_match(text_value(t, cell), '-?[0-9]{1,9}(?:\.0+)?')
            THEN CAST(regexp_replace(text_value(t, cell), '\.0+$', '') AS BIGINT)
    END;
