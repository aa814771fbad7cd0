-- PostgreSQL only. The read-only role cakupan_analyst: SELECT on mart (now and later tables)
-- and nothing on ref, staging or core, which hold full NIKs, names and addresses.
--
-- The role is NOLOGIN: nobody logs in as it and it has no password. Give it to each
-- analyst's own login role (GRANT cakupan_analyst TO alice;) so access stays personal and
-- can be revoked person by person.
--
-- Roles are cluster-wide, grants are per database: run this in every warehouse database,
-- as the user that creates the mart tables (ALTER DEFAULT PRIVILEGES covers the tables that
-- user creates later). Idempotent: safe to run again, and safe when another database of the
-- cluster created the role first, even at the same moment.
-- Run as one script (psql -v ON_ERROR_STOP=1 -f this file, or make roles).

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'cakupan_analyst') THEN
        CREATE ROLE cakupan_analyst NOLOGIN;
    END IF;
EXCEPTION
    WHEN duplicate_object OR unique_violation THEN
        NULL;  -- created concurrently by another session
END
$$;

DO $$
BEGIN
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO cakupan_analyst', current_database());
END
$$;

-- mart: read only, including tables created later by the pipeline's user.
GRANT USAGE ON SCHEMA mart TO cakupan_analyst;
REVOKE CREATE ON SCHEMA mart FROM cakupan_analyst, PUBLIC;
GRANT SELECT ON ALL TABLES IN SCHEMA mart TO cakupan_analyst;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER
    ON ALL TABLES IN SCHEMA mart FROM cakupan_analyst, PUBLIC;
ALTER DEFAULT PRIVILEGES IN SCHEMA mart GRANT SELECT ON TABLES TO cakupan_analyst;

-- ref, staging, core: nothing. Without USAGE on a schema no table in it can be reached,
-- whatever is granted on the table itself.
REVOKE ALL ON SCHEMA ref, staging, core FROM cakupan_analyst, PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA ref, staging, core FROM cakupan_analyst, PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA ref, staging, core FROM cakupan_analyst, PUBLIC;
