-- Coverage report: workers covered in the province on every snapshot up to :as_of.
SELECT snapshot_date, workers_covered
FROM mart.coverage_province
WHERE snapshot_date <= CAST(:as_of AS DATE)
ORDER BY snapshot_date;
