-- Coverage report: the per-file JSON counts of rejection reasons and flags, for files
-- received up to :as_of. The JSON is summed in Python: JSON functions differ by engine.
SELECT source, rejected_by_reason, flags_by_reason
FROM mart.data_quality
WHERE received_date <= CAST(:as_of AS DATE)
ORDER BY source, file_name, sha256;
