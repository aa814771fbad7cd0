-- Warehouse (both engines). The records a mistyped NIK may belong to: the (NIK, name,
-- village) on the member state of each KPJ on :as_of (member exports carry no birth date:
-- the linkage reads it from the NIK's digits), and each register NIK's latest row. Both
-- working sets are already brought to :as_of (core/030, core/050). A NIK on several KPJs
-- may repeat a record: the linkage keeps a record once (040) among the few it keeps, which
-- spares PostgreSQL a DISTINCT over every KPJ (1.1-1.6 s for 1.4 million rows).
SELECT
    'member_exports' AS candidate_source,
    m.nik,
    m.village_code,
    m.name,
    CAST(NULL AS DATE) AS birth_date
FROM core.member_latest AS m
UNION ALL
SELECT
    'poverty_lists',
    ps.nik,
    ps.village_code,
    ps.name,
    ps.birth_date
FROM core.poverty_latest AS ps
