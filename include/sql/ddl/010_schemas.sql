-- Layers: ref (reference + settings), staging (typed rows as landed, ledger, rejections),
-- core (as-of-date models, one row set per snapshot_date), mart (what analysts read).
CREATE SCHEMA IF NOT EXISTS ref;
CREATE SCHEMA IF NOT EXISTS staging;
CREATE SCHEMA IF NOT EXISTS core;
CREATE SCHEMA IF NOT EXISTS mart;
