-- parameters: numerator, denominator
-- A least-squares slope in units per day, given as the exact integers numerator /
-- denominator (mart/080_coverage_forecast.sql), as a pace per week with 2 decimals, half
-- rounded up: FLOOR((1400 * numerator + denominator) / (2 * denominator)) / 100. As in
-- fragments/percentage.sql, the one division is of exact integers, so DuckDB (binary
-- floating point) and PostgreSQL (decimal) give the same value. NULL when either is NULL.
-- Used as {{ pace_per_week(n, d) }}; target_reached_on.sql calls a pace positive exactly
-- when this is above 0.
CAST(FLOOR((1400.0 * {numerator} + {denominator}) / (2.0 * {denominator})) / 100
     AS DECIMAL(12, 2))
