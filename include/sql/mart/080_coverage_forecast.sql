-- mart.coverage_forecast: for :as_of, per regency and for the province, the pace of
-- workers_covered (and of members_covered where the workforce is known) over the
-- snapshots of the last :window_days days, and the date each target is reached at it.
--
-- Window: the snapshot dates d with :as_of - :window_days < d <= :as_of (window_days 28:
-- :as_of and the 27 days before it), as core.unit_snapshot holds them when :as_of is
-- built. Fewer than 3 of them: no pace and no date.
-- Pace: the least-squares slope of the count y over the day number x = d - :as_of,
-- slope = (n*Sxy - Sx*Sy) / (n*Sxx - Sx*Sx), times 7. The numerator and the denominator
-- are kept as exact integers, not taken from regr_slope: regr_slope returns a DOUBLE that
-- each engine computes its own way, and a last-bit difference moves a CEIL by a day.
-- Missing: GREATEST(target - count on :as_of, 0); NULL where the target is unknown. The
-- workforce target is CEIL(workforce_estimate * workforce_target_pct / 100) members (the
-- fewest members whose share of the workforce reaches the target percentage).
-- Reached on: fragments/target_reached_on.sql. See docs/decisions.md, "Coverage forecast".
DELETE FROM mart.coverage_forecast WHERE snapshot_date = CAST(:as_of AS DATE);

INSERT INTO mart.coverage_forecast
    (snapshot_date, unit_level, unit_code, pace_workers_per_week, workers_missing,
     target_reached_on, pace_members_per_week, members_missing, workforce_target_reached_on)
WITH history AS (
    SELECT
        h.unit_level,
        h.unit_code,
        CAST(h.snapshot_date - CAST(:as_of AS DATE) AS BIGINT) AS x,
        CAST(h.workers_covered AS BIGINT) AS workers,
        CAST(h.members_covered AS BIGINT) AS members
    FROM core.unit_snapshot AS h
    WHERE h.unit_level IN ('regency', 'province')
      AND h.snapshot_date > CAST(:as_of AS DATE) - CAST(:window_days AS INTEGER)
      AND h.snapshot_date <= CAST(:as_of AS DATE)
),
fit AS (
    SELECT
        unit_level,
        unit_code,
        CASE WHEN COUNT(*) >= 3
             THEN CAST(COUNT(*) * SUM(x * x) - SUM(x) * SUM(x) AS BIGINT)
        END AS denominator,
        CAST(COUNT(*) * SUM(x * workers) - SUM(x) * SUM(workers) AS BIGINT) AS workers_numerator,
        CAST(COUNT(*) * SUM(x * members) - SUM(x) * SUM(members) AS BIGINT) AS members_numerator
    FROM history
    GROUP BY unit_level, unit_code
),
unit AS (
    SELECT
        u.snapshot_date AS as_of,
        u.unit_level,
        u.unit_code,
        u.workers_covered,
        u.members_covered,
        u.target_workers,
        CAST(CEIL(u.workforce_estimate * CAST(u.workforce_target_pct * 100 AS BIGINT) / 10000.0)
             AS BIGINT) AS members_target,
        f.denominator,
        f.workers_numerator,
        CASE WHEN u.workforce_estimate IS NOT NULL THEN f.members_numerator END
            AS members_numerator
    FROM core.unit_snapshot AS u
    JOIN fit AS f ON f.unit_level = u.unit_level AND f.unit_code = u.unit_code
    WHERE u.snapshot_date = CAST(:as_of AS DATE)
      AND u.unit_level IN ('regency', 'province')
),
missing AS (
    SELECT
        unit.*,
        {{ missing_to_target(target_workers, workers_covered) }} AS workers_missing,
        {{ missing_to_target(members_target, members_covered) }} AS members_missing
    FROM unit
)
SELECT
    as_of,
    unit_level,
    unit_code,
    {{ pace_per_week(workers_numerator, denominator) }},
    workers_missing,
    {{ target_reached_on(as_of, workers_missing, workers_numerator, denominator) }},
    {{ pace_per_week(members_numerator, denominator) }},
    members_missing,
    {{ target_reached_on(as_of, members_missing, members_numerator, denominator) }}
FROM missing;
