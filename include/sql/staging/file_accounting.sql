-- One file's ledger counts next to the rows actually in staging, for reconciliation:
-- rows_read = rows_loaded + rows_rejected, and staging holds exactly those rows.
SELECT
    l.status,
    l.rows_read,
    l.rows_loaded,
    l.rows_rejected,
    (SELECT COUNT(*) FROM staging.village_submissions AS s
      WHERE s.sha256 = l.sha256 AND s.file_name = l.file_name)
  + (SELECT COUNT(*) FROM staging.poverty_lists AS p
      WHERE p.sha256 = l.sha256 AND p.file_name = l.file_name)
  + (SELECT COUNT(*) FROM staging.member_exports AS m
      WHERE m.sha256 = l.sha256 AND m.file_name = l.file_name) AS staged_loaded,
    (SELECT COUNT(*) FROM staging.rejected_rows AS r
      WHERE r.source = l.source AND r.sha256 = l.sha256 AND r.file_name = l.file_name)
        AS staged_rejected
FROM staging.file_ledger AS l
WHERE l.source = :source AND l.file_name = :file_name AND l.sha256 = :sha256;
