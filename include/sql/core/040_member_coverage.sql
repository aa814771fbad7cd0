-- Per NIK with any KPJ row received <= :as_of (= enrolled, core.member_enrolled):
--   covered     a KPJ whose state is AKTIF and paid through the month of :as_of or later;
--   in arrears  not covered, but a KPJ AKTIF and paid within :grace_months before that month;
--   covering_village_code  the village on the state row of a covering KPJ (lowest code when
--               several covering KPJs carry one), used to attribute members to villages;
--   paid by village  covered, and one of its covering KPJs is paid by the village fund
--               (payer APBDES: CONTRACT §5.1, workers_paid_by_village).
-- Months are compared as year * 12 + month; :as_of_month is the same number for :as_of.
-- core.member_latest is the state on :as_of: core/030 has just brought it to that date. A
-- NIK no KPJ carries any more on its latest row (BPJS corrected it) is enrolled, neither
-- covered nor in arrears.
-- A working set (ddl/040_core.sql): it holds only the date being built.
TRUNCATE core.member_coverage;

INSERT INTO core.member_coverage
    (snapshot_date, nik, is_covered, is_in_arrears, covering_village_code, is_paid_by_village)
WITH state AS (
    SELECT
        nik,
        village_code,
        payer,
        status = 'AKTIF'
            AND EXTRACT(YEAR FROM paid_through) * 12 + EXTRACT(MONTH FROM paid_through)
                >= :as_of_month AS covers,
        status = 'AKTIF'
            AND EXTRACT(YEAR FROM paid_through) * 12 + EXTRACT(MONTH FROM paid_through)
                >= :as_of_month - :grace_months AS within_grace
    FROM core.member_latest
)
SELECT
    CAST(:as_of AS DATE),
    nik,
    BOOL_OR(covers),
    NOT BOOL_OR(covers) AND BOOL_OR(within_grace),
    MIN(CASE WHEN covers THEN village_code END),
    BOOL_OR(covers AND COALESCE(payer = 'APBDES', FALSE))
FROM state
GROUP BY nik
UNION ALL
SELECT CAST(:as_of AS DATE), e.nik, FALSE, FALSE, NULL, FALSE
FROM core.member_enrolled AS e
WHERE NOT EXISTS (SELECT 1 FROM core.member_latest AS l WHERE l.nik = e.nik);

-- Fresh statistics for the models that join it (PostgreSQL would plan for an empty table).
ANALYZE core.member_coverage;
