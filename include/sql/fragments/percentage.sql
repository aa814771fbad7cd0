-- parameters: part, whole
-- part as a percentage of whole, 0-100 with 2 decimals, half rounded up; NULL when whole is
-- 0 or NULL. Written as FLOOR((20000 * part + whole) / (2 * whole)) / 100 so that DuckDB
-- (which divides in binary floating point) and PostgreSQL (decimal) give identical values.
-- Used in models as {{ percentage(a, b) }} (cakupan.warehouse.sqlfiles renders it).
CAST(FLOOR((20000.0 * {part} + NULLIF({whole}, 0)) / (2.0 * NULLIF({whole}, 0))) / 100
     AS DECIMAL(9, 2))
