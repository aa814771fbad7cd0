-- In-process DuckDB (cakupan.marts.linkage), once, over 020's rows as they stream in
-- (candidates_in): keeps the candidates sharing a blocking key with a proposed NIK (030
-- says why).
INSERT INTO link_candidate_kept
SELECT *
FROM link_keyed('candidates_in') AS k
WHERE k.block_1 IN (SELECT block_1 FROM link_proposed_keyed)
   OR k.block_3 IN (SELECT block_3 FROM link_proposed_keyed)
   OR k.block_5 IN (SELECT block_5 FROM link_proposed_keyed)
   OR k.block_7 IN (SELECT block_7 FROM link_proposed_keyed)
   OR k.block_9 IN (SELECT block_9 FROM link_proposed_keyed)
   OR k.block_11 IN (SELECT block_11 FROM link_proposed_keyed)
   OR k.block_13 IN (SELECT block_13 FROM link_proposed_keyed);
