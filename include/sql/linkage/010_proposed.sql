-- Warehouse (both engines). The proposed workers of :as_of whose NIK has no exact match in a
-- candidate source, once per such source, with their kept submission row's name and birth
-- date (core/010): members are the NIKs on any KPJ row received <= :as_of (the enrolled,
-- core.member_enrolled, core/030), the register its NIKs received <= :as_of (core/050).
WITH proposed AS (
    SELECT p.nik, p.village_code, p.name, p.birth_date
    FROM core.proposed_worker AS p
    WHERE p.snapshot_date = CAST(:as_of AS DATE)
)
SELECT 'member_exports' AS candidate_source, p.*
FROM proposed AS p
WHERE NOT EXISTS (SELECT 1 FROM core.member_enrolled AS e WHERE e.nik = p.nik)
UNION ALL
SELECT 'poverty_lists', p.*
FROM proposed AS p
WHERE NOT EXISTS (SELECT 1 FROM core.poverty_latest AS ps WHERE ps.nik = p.nik)
