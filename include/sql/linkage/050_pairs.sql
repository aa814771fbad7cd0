-- In-process DuckDB (cakupan.marts.linkage): core.probable_match's rows from Splink's scored
-- pairs (link_scored; Splink puts either side on the left, source_dataset_l says which). A candidate NIK met on several records (a member's KPJs with other
-- names or villages) counts once, at its best probability. The probability is rounded to 4
-- decimals here, once, so both engines store and publish the same value; pairs below :floor
-- are dropped, and at most :top are kept per proposed NIK and source (highest first, then
-- the lower candidate NIK).
WITH pairs AS (
    SELECT
        p.candidate_source,
        p.nik,
        p.village_code,
        c.nik AS candidate_nik,
        ROUND(MAX(s.match_probability), 4) AS match_probability
    FROM link_scored AS s
    JOIN link_proposed AS p
      ON p.unique_id = CASE WHEN s.source_dataset_l = 'proposed' THEN s.unique_id_l
                            ELSE s.unique_id_r END
    JOIN link_candidate AS c
      ON c.unique_id = CASE WHEN s.source_dataset_l = 'proposed' THEN s.unique_id_r
                            ELSE s.unique_id_l END
    WHERE p.candidate_source = c.candidate_source
    GROUP BY p.candidate_source, p.nik, p.village_code, c.nik
)
SELECT
    CAST($as_of AS DATE) AS snapshot_date,
    nik,
    village_code,
    candidate_nik,
    mask_nik(candidate_nik) AS candidate_nik_masked,
    candidate_source,
    match_probability
FROM pairs
WHERE match_probability >= $floor
QUALIFY ROW_NUMBER() OVER (
    PARTITION BY candidate_source, nik ORDER BY match_probability DESC, candidate_nik
) <= $top
ORDER BY candidate_source, nik, candidate_nik
