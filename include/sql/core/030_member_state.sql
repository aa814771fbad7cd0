-- State of each KPJ on :as_of: its row with the latest exported_on, then latest received
-- date, among rows from files received <= :as_of (file and row only break exact ties).
-- A working set (ddl/040_core.sql): it holds only the date being built.
TRUNCATE core.member_state;

INSERT INTO core.member_state
    (snapshot_date, kpj, nik, segment, status, paid_through, village_code)
WITH ranked AS (
    SELECT
        m.kpj, m.nik, m.segment, m.status, m.paid_through, m.village_code,
        ROW_NUMBER() OVER (
            PARTITION BY m.kpj COLLATE "C"
            ORDER BY m.exported_on DESC, m.received_date DESC, m.file_name COLLATE "C" DESC,
                     m.row_number DESC
        ) AS pick
    FROM staging.member_exports AS m
    WHERE m.received_date <= CAST(:as_of AS DATE)
)
SELECT CAST(:as_of AS DATE), kpj, nik, segment, status, paid_through, village_code
FROM ranked
WHERE pick = 1;

-- Fresh statistics for the models that join it (PostgreSQL would plan for an empty table).
ANALYZE core.member_state;
