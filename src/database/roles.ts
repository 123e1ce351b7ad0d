import type { Client } from 'pg';

/**
 * The group role the migrations grant the service's privileges to. A fixed name, because a migration is fixed SQL run
 * once: it cannot be told the login name of each deployment (managed databases impose their own user names, and a
 * password rotation may switch between two login roles). Any login role made a member of this group is the service.
 */
export const SERVICE_GROUP = 'doudi_service';

/** The roles the embedded PostgreSQL (and docker-compose) create; local passwords, the server listens on loopback. */
export const EMBEDDED_ROLES = {
  /** The bootstrap superuser initdb creates: only creates the roles and databases. */
  superuser: { name: 'doudi', password: 'doudi' },
  /** Owns the database, the schema objects, and runs the migrations. */
  owner: { name: 'doudi_owner', password: 'doudi_owner' },
  /** The service's login: a member of SERVICE_GROUP, owning nothing. */
  service: { name: 'doudi_app', password: 'doudi_app' },
} as const;

/**
 * Creates the owner, the service group and the service login if missing, makes the owner the owner of `database`
 * and of every object in its public schema. Idempotent: run on every start, as the bootstrap superuser, on a fresh
 * data folder and on one from before the two roles, whose tables the superuser owns (REASSIGN OWNED cannot be used:
 * the bootstrap superuser also owns the system catalogs). The owner may create databases: tests and benchmarks make
 * databases of their own on the embedded server.
 */
export async function bootstrapRoles(superuser: Client, database: string): Promise<void> {
  const { owner, service } = EMBEDDED_ROLES;
  await superuser.query(`
    DO $$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${owner.name}') THEN CREATE ROLE ${owner.name}; END IF;
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${SERVICE_GROUP}') THEN CREATE ROLE ${SERVICE_GROUP}; END IF;
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${service.name}') THEN CREATE ROLE ${service.name}; END IF;
    END $$`);
  // Attributes set every time, so that an older or hand-edited role is brought back to them.
  await superuser.query(`ALTER ROLE ${owner.name} LOGIN CREATEDB NOSUPERUSER NOCREATEROLE NOBYPASSRLS NOREPLICATION PASSWORD '${owner.password}'`);
  await superuser.query(`ALTER ROLE ${SERVICE_GROUP} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION`);
  await superuser.query(`ALTER ROLE ${service.name} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION INHERIT PASSWORD '${service.password}'`);
  await superuser.query(`GRANT ${SERVICE_GROUP} TO ${service.name}`);
  await superuser.query(`ALTER DATABASE ${superuser.escapeIdentifier(database)} OWNER TO ${owner.name}`);
  await superuser.query(TRANSFER_OWNERSHIP.replaceAll(':owner', owner.name));
}

/** An object an extension created is the extension's business, left as it is. */
const FROM_EXTENSION = (oid: string) => `EXISTS (SELECT FROM pg_depend d WHERE d.objid = ${oid} AND d.deptype = 'e')`;

/**
 * Hands every object of the public schema not yet the owner's to the owner: tables first (their indexes and the
 * sequences of their serial columns follow), then what is left. Run in the database being bootstrapped.
 */
const TRANSFER_OWNERSHIP = `
  DO $$ DECLARE r record; BEGIN
    FOR r IN SELECT c.oid::regclass AS name, CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END AS kind
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm') AND c.relowner <> ':owner'::regrole AND NOT ${FROM_EXTENSION('c.oid')} LOOP
      EXECUTE format('ALTER %s %s OWNER TO :owner', r.kind, r.name);
    END LOOP;
    FOR r IN SELECT c.oid::regclass AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'public' AND c.relkind = 'S' AND c.relowner <> ':owner'::regrole AND NOT ${FROM_EXTENSION('c.oid')} LOOP
      EXECUTE format('ALTER SEQUENCE %s OWNER TO :owner', r.name);
    END LOOP;
    FOR r IN SELECT p.oid::regprocedure AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname = 'public' AND p.proowner <> ':owner'::regrole AND NOT ${FROM_EXTENSION('p.oid')} LOOP
      EXECUTE format('ALTER ROUTINE %s OWNER TO :owner', r.name);
    END LOOP;
    -- Enums, domains and composite types of their own (a table's row type follows its table).
    FOR r IN SELECT t.oid::regtype AS name FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
             WHERE n.nspname = 'public' AND t.typowner <> ':owner'::regrole AND t.typelem = 0
               AND (t.typrelid = 0 OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c') AND t.typtype <> 'm' AND NOT ${FROM_EXTENSION('t.oid')} LOOP
      EXECUTE format('ALTER TYPE %s OWNER TO :owner', r.name);
    END LOOP;
  END $$`;
