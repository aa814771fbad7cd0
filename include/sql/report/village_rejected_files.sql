-- The submission files of one village rejected whole (no row could be read: a required
-- column missing, ...), whose village was read from their village-code column: the
-- operator must send them again, fixed. The error lists the headers that are accepted.
SELECT l.file_name, l.received_date, l.error
FROM staging.file_ledger AS l
WHERE l.source = 'village_submissions'
  AND l.status = 'rejected_file'
  AND l.village_code = :village_code
ORDER BY l.received_date, l.file_name;
