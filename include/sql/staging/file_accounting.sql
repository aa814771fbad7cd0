-- Ledger counts of one source's files received on one date, next to the rows staging
-- actually holds for them, for reconciliation: rows_read = rows_loaded + rows_rejected,
-- and staging holds exactly those rows. One query for a whole run, not one per file;
-- joins on grouped counts (not a subquery per ledger row) keep it linear, and the
-- constant test on :source lets both engines skip the other sources' tables unread.
WITH staged AS (
    SELECT file_name, sha256, COUNT(*) AS n FROM staging.village_submissions
    WHERE :source = 'village_submissions' AND received_date = :received_date
    GROUP BY file_name, sha256
    UNION ALL
    SELECT file_name, sha256, COUNT(*) AS n FROM staging.poverty_lists
    WHERE :source = 'poverty_lists' AND received_date = :received_date
    GROUP BY file_name, sha256
    UNION ALL
    SELECT file_name, sha256, COUNT(*) AS n FROM staging.member_exports
    WHERE :source = 'member_exports' AND received_date = :received_date
    GROUP BY file_name, sha256
),
rejected AS (
    SELECT file_name, sha256, COUNT(*) AS n FROM staging.rejected_rows
    WHERE source = :source AND received_date = :received_date
   
    GROUP BY file_name, sha256
)
SELECT
    l.file_name,
    l.sha256,
    l.status,
    l.rows_read,
    l.rows_loaded,
    l.rows_rejected,
    l.rejected_by_reason,
    l.error,
    COALESCE(s.n, 0) AS staged_loaded,
    COALESCE(r.n, 0) AS staged_rejected
FROM staging.file_ledger AS l
LEFT JOIN (SELECT file_name, sha256, SUM(n) AS n FROM staged GROUP BY file_name, sha256) AS s
    ON s.file_name = l.file_name AND s.sha256 = l.sha256
LEFT JOIN rejected AS r
    ON r.file_name = l.file_name AND r.sha256 = l.sha256
WHERE l.source = :source AND l.received_date = :received_date;
