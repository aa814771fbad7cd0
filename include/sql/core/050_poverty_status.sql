-- Each NIK's latest poverty-register row received <= :as_of (latest received date, then
-- the later file name, then the later row); poor listed when its decile <= :poor_max_decile.
-- That row's village is the NIK's village for poverty counts.
DELETE FROM core.poverty_status WHERE snapshot_date = CAST(:as_of AS DATE);

INSERT INTO core.poverty_status (snapshot_date, nik, village_code, decile, is_poor)
WITH ranked AS (
    SELECT
        p.nik, p.village_code, p.decile,
        ROW_NUMBER() OVER (
            PARTITION BY p.nik
            ORDER BY p.received_date DESC, p.file_name DESC, p.row_number DESC
        ) AS pick
    FROM staging.poverty_lists AS p
    WHERE p.received_date <= CAST(:as_of AS DATE)
)
SELECT CAST(:as_of AS DATE), nik, village_code, decile, decile <= :poor_max_decile
FROM ranked
WHERE pick = 1;
