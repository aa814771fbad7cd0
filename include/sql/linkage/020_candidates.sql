-- Warehouse (both engines). The records a mistyped NIK may belong to: each distinct
-- (NIK, name, village) on the member state of a KPJ on :as_of (member exports carry no birth
-- date: the linkage reads it from the NIK's digits), and each register NIK's latest row.
-- Both working sets are already brought to :as_of (core/030, core/050).
SELECT DISTINCT
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
