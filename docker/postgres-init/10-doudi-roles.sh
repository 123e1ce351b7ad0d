#!/bin/sh
# Doudi's two database roles (README "Database roles"), run by the postgres image as its superuser on a new volume
# (/docker-entrypoint-initdb.d). Idempotent: run it again on an older volume, whose tables the superuser owns:
#   docker compose exec postgres sh /docker-entrypoint-initdb.d/10-doudi-roles.sh
# - doudi_owner owns the database and the schema objects and runs the migrations (DATABASE_MIGRATION_URL);
# - doudi_service, a group without login, gets the service's privileges from the migrations;
# - doudi_app, its member, is the service's login (DATABASE_URL): it owns nothing.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  --set owner_password="${DOUDI_OWNER_PASSWORD:?}" --set app_password="${DOUDI_APP_PASSWORD:?}" <<'SQL'
-- Quiet on a second run ("already a member").
SET client_min_messages = warning;
SELECT 'CREATE ROLE doudi_owner' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'doudi_owner') \gexec
SELECT 'CREATE ROLE doudi_service' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'doudi_service') \gexec
SELECT 'CREATE ROLE doudi_app' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'doudi_app') \gexec
ALTER ROLE doudi_owner LOGIN NOSUPERUSER NOCREATEROLE NOBYPASSRLS NOREPLICATION PASSWORD :'owner_password';
ALTER ROLE doudi_service NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION;
ALTER ROLE doudi_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION INHERIT PASSWORD :'app_password';
GRANT doudi_service TO doudi_app;
ALTER DATABASE :"DBNAME" OWNER TO doudi_owner;
-- An older volume: what the superuser created in the schema passes to the owner (tables carry their indexes and
-- serial sequences). REASSIGN OWNED cannot do it: the superuser also owns the system catalogs.
DO $$ DECLARE r record; BEGIN
  FOR r IN SELECT c.oid::regclass AS name, CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END AS kind
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm') AND c.relowner <> 'doudi_owner'::regrole LOOP
    EXECUTE format('ALTER %s %s OWNER TO doudi_owner', r.kind, r.name);
  END LOOP;
  FOR r IN SELECT c.oid::regclass AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'public' AND c.relkind = 'S' AND c.relowner <> 'doudi_owner'::regrole LOOP
    EXECUTE format('ALTER SEQUENCE %s OWNER TO doudi_owner', r.name);
  END LOOP;
  FOR r IN SELECT p.oid::regprocedure AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE n.nspname = 'public' AND p.proowner <> 'doudi_owner'::regrole LOOP
    EXECUTE format('ALTER ROUTINE %s OWNER TO doudi_owner', r.name);
  END LOOP;
END $$;
SQL
