-- The terminal summary: each regency's row of mart.coverage_regency on :as_of, then the
-- province total labelled SUMATERA SELATAN.
SELECT
    REPLACE(regency_name, 'Kabupaten ', '') AS regency,
    workers_proposed, workers_eligible, workers_covered, target_workers,
    target_attainment_pct, villages_submitted, villages_expected, reporting_rate_pct,
    on_time_rate_pct, 0 AS is_total, regency_code AS sort_key
FROM mart.coverage_regency
WHERE snapshot_date = :as_of
UNION ALL
SELECT
    'SUMATERA SELATAN', workers_proposed, workers_eligible, workers_covered, target_workers,
    target_attainment_pct, villages_submitted, villages_expected, reporting_rate_pct,
    on_time_rate_pct, 1, '99'
FROM mart.coverage_province
WHERE snapshot_date = :as_of
ORDER BY is_total, sort_key;
