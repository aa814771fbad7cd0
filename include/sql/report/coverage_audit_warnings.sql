-- Coverage report: the audit's warnings for :as_of (failed warning-level GX expectations
-- on the published tables; counts and sentences only, no file name).
SELECT table_name, check_name, expectation, unexpected_count, element_count, message
FROM core.audit_warning
WHERE snapshot_date = CAST(:as_of AS DATE)
ORDER BY table_name, check_name;
