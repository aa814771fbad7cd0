-- Audit: the date's warnings are replaced with the snapshot, in its transaction.
DELETE FROM core.audit_warning WHERE snapshot_date = CAST(:as_of AS DATE);
