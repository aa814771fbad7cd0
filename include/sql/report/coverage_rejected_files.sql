-- Coverage report: per village, its submission files rejected whole (the village read from
-- their village-code column) received up to :as_of, and the error of the latest one: what
-- the village must fix and send again. Only the error, whose texts never quote a cell, and
-- never the file name, which can carry a person's name.
SELECT village_code, error
FROM (
    SELECT
        l.village_code,
        l.error,
        ROW_NUMBER() OVER (
            PARTITION BY l.village_code
            ORDER BY l.received_date DESC, l.loaded_at DESC, l.file_name COLLATE "C" DESC
        ) AS pick
    FROM staging.file_ledger AS l
    WHERE l.source = 'village_submissions'
      AND l.status = 'rejected_file'
      AND l.village_code IS NOT NULL
      AND l.received_date <= CAST(:as_of AS DATE)
) AS ranked
WHERE pick = 1
ORDER BY village_code;
