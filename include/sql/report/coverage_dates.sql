-- Coverage report: the snapshot dates built so far (to refuse a date with no snapshot and
-- name the latest one instead).
SELECT snapshot_date
FROM mart.coverage_province
ORDER BY snapshot_date;
