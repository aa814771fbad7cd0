-- parameters: as_of, missing, numerator, denominator
-- The date a count reaches its target at the least-squares pace numerator / denominator
-- per day (exact integers, mart/080_coverage_forecast.sql), going on from as_of with
-- missing still to go: as_of + CEIL(missing * denominator / numerator) days, so as_of
-- itself when nothing is missing. NULL where missing is NULL (no target), where the pace
-- per week as published (pace_per_week.sql) is not positive, i.e. 1400 * numerator <
-- denominator, or where the date would fall after 9999-12-31 (a pace too slow to mean a
-- date; no engine or reader holds a later one). The one division is of exact integers,
-- so CEIL gives the same day on DuckDB and PostgreSQL.
CASE
    WHEN 1400 * {numerator} >= {denominator}
     AND 1.0 * {missing} * {denominator} / {numerator} <= DATE '9999-12-31' - {as_of}
    THEN {as_of} + CAST(CEIL(1.0 * {missing} * {denominator} / {numerator}) AS INTEGER)
END
