-- NIKs proposed by more than one village: the kept village (from core.proposed_worker) and
-- each other village with its earliest submission, listed for review.
DELETE FROM core.duplicate_proposal WHERE snapshot_date = CAST(:as_of AS DATE);

INSERT INTO core.duplicate_proposal
    (snapshot_date, nik, nik_masked, kept_village_code, duplicate_village_code,
     kept_submitted_on, duplicate_submitted_on)
WITH per_village AS (
    SELECT s.nik, s.village_code, MIN(s.submitted_on) AS submitted_on
    FROM staging.village_submissions AS s
    WHERE s.received_date <= CAST(:as_of AS DATE)
      AND s.submitted_on <= CAST(:as_of AS DATE)
    GROUP BY s.nik, s.village_code
)
SELECT
    CAST(:as_of AS DATE),
    k.nik,
    k.nik_masked,
    k.village_code,
    d.village_code,
    k.submitted_on,
    d.submitted_on
FROM core.proposed_worker AS k
JOIN per_village AS d
  ON d.nik = k.nik
 AND d.village_code <> k.village_code
WHERE k.snapshot_date = CAST(:as_of AS DATE);
