-- mart.duplicate_proposals: NIKs proposed by several villages, for review, as of the newest
-- snapshot built (a backfill of an older date does not roll the review list back).
DELETE FROM mart.duplicate_proposals;

INSERT INTO mart.duplicate_proposals
    (nik_masked, kept_village_code, duplicate_village_code, kept_submitted_on,
     duplicate_submitted_on)
SELECT
    d.nik_masked, d.kept_village_code, d.duplicate_village_code, d.kept_submitted_on,
    d.duplicate_submitted_on
FROM core.duplicate_proposal AS d
WHERE d.snapshot_date = (SELECT MAX(snapshot_date) FROM mart.coverage_province);
