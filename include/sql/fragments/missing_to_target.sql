-- parameters: target, count
-- How many the count still lacks to reach the target, never below 0; NULL where the target
-- is unknown (GREATEST alone would give 0 there: both engines skip a NULL argument).
CASE WHEN {target} IS NOT NULL THEN CAST(GREATEST({target} - {count}, 0) AS INTEGER) END
