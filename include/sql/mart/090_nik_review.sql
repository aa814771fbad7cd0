-- Probable matches on :as_of for an operator or a BPJS officer to confirm (CONTRACT §5.1),
-- one row per pair of core.probable_match (cakupan.marts.linkage), under the proposing
-- village. Masked NIKs only: the proposed one as core/010 keeps it, the candidate's as the
-- linkage masked it, both by the row rules' mask_nik (first 6 and last 4 digits).
--   differing_positions  the 1-based positions where the two 16-digit NIKs differ,
--                        ascending, comma-separated ("7,8": two digits swapped or changed);
--   match_probability    Splink's, rounded to 4 decimals by the linkage.
DELETE FROM mart.nik_review WHERE snapshot_date = CAST(:as_of AS DATE);

INSERT INTO mart.nik_review
    (snapshot_date, village_code, proposed_nik_masked, candidate_nik_masked, candidate_source,
     differing_positions, match_probability)
SELECT
    pm.snapshot_date,
    pm.village_code,
    p.nik_masked,
    pm.candidate_nik_masked,
    pm.candidate_source,
    (
        SELECT STRING_AGG(CAST(d.i AS VARCHAR), ',' ORDER BY d.i)
        FROM generate_series(1, 16) AS d (i)
        WHERE SUBSTRING(pm.nik FROM d.i FOR 1) <> SUBSTRING(pm.candidate_nik FROM d.i FOR 1)
    ),
    CAST(pm.match_probability AS DECIMAL(5, 4))
FROM core.probable_match AS pm
JOIN core.proposed_worker AS p
  ON p.snapshot_date = pm.snapshot_date AND p.nik = pm.nik
WHERE pm.snapshot_date = CAST(:as_of AS DATE);
