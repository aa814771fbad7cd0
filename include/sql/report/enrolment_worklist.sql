-- The enrolment worklist on :as_of (issue 15, cakupan export-enrolment): every eligible
-- proposed worker of regency :regency_code (or of its village :village_code only, when not
-- NULL) who is not enrolled on :as_of, with what a collective BPU registration needs.
-- Full personal data, for the export's owner-only file only: never a mart table.
--   proposed, eligible  fragments/proposed_worker.sql, the snapshot's own rule, for any
--                       date (the core working sets hold only the date built last);
--   enrolled            a KPJ row for the NIK from a file received <= :as_of (CONTRACT §4);
--   payer               who pays the contribution of a collective registration: APBDES
--                       (Dana Desa) for a desa; APBD (the regency's budget) for a
--                       kelurahan, which gets no Dana Desa (docs/decisions.md).
-- Ordered by village, then name and NIK in byte order (the same on both engines).
WITH proposed AS ({{ proposed_worker(:as_of, :min_age, :max_age) }})
SELECT
    v.village_code,
    v.village_name,
    v.district_name,
    p.nik,
    p.name,
    p.birth_date,
    p.sex,
    p.occupation,
    p.address,
    p.phone,
    CASE WHEN v.village_type = 'desa' THEN 'APBDES' ELSE 'APBD' END AS payer
FROM proposed AS p
JOIN ref.village AS v ON v.village_code = p.village_code
WHERE p.is_eligible
  AND v.regency_code = :regency_code
  AND (CAST(:village_code AS VARCHAR) IS NULL OR v.village_code = :village_code)
  AND NOT EXISTS (
      SELECT 1
      FROM staging.member_exports AS m
      WHERE m.nik = p.nik
        AND m.received_date <= CAST(:as_of AS DATE)
  )
ORDER BY v.village_code, p.name COLLATE "C", p.nik COLLATE "C";
