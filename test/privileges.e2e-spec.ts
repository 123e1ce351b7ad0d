import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { migrateDatabase } from '../src/database/data-source-options';
import { SERVICE_GROUP } from '../src/database/roles';
import { createTestDatabase, migrationUrlOf, startTestApp } from './support/test-app';

/**
 * Least privilege (issue 17): the service connects as a role that owns nothing and may only INSERT and SELECT on the
 * audit trail, so none of the routes around the append-only triggers is open to it. Each refusal is shown to be a
 * privilege refusal, and the same statement is shown to get through as the owner (in a rolled-back transaction), so
 * the test would notice the service running with the owner's powers again.
 */
describe('least privilege in PostgreSQL', () => {
  let serviceUrl: string;
  let service: Client;
  let owner: Client;

  beforeAll(async () => {
    if (!process.env.DATABASE_MIGRATION_URL) throw new Error('DATABASE_MIGRATION_URL is not set: this run has one database role, not least privilege');
    serviceUrl = await createTestDatabase();
    await migrateDatabase(migrationUrlOf(serviceUrl));
    service = new Client({ connectionString: serviceUrl });
    owner = new Client({ connectionString: migrationUrlOf(serviceUrl) });
    await Promise.all([service.connect(), owner.connect()]);
    await service.query(`INSERT INTO audit_event (occurred_at, actor_id, region_code, action, subject_type, subject_id) VALUES (now(), 'tester', '410821', 'test.kept', 'case', 'c-1')`);
  });
  afterAll(async () => {
    await Promise.all([service?.end(), owner?.end()]);
  });

  /** The SQLSTATE a statement fails with as the service role (42501 = insufficient_privilege). */
  const refusal = async (sql: string) => {
    try {
      await service.query(sql);
    } catch (error) {
      return { code: (error as { code?: string }).code, message: (error as Error).message };
    }
    return { code: 'accepted', message: '' };
  };
  /** Runs statements as the owner in a transaction that is always rolled back; returns the last result's row count. */
  const asOwnerRolledBack = async (...statements: string[]) => {
    await owner.query('BEGIN');
    try {
      let rowCount: number | null = null;
      for (const sql of statements) rowCount = (await owner.query(sql)).rowCount;
      return rowCount;
    } finally {
      await owner.query('ROLLBACK');
    }
  };
  const trail = async () => (await owner.query(`SELECT id, action FROM audit_event ORDER BY id`)).rows;

  it('the service role is no superuser, creates no databases or roles, bypasses no row security, and is in the service group', async () => {
    const { rows } = await service.query(
      `SELECT rolsuper, rolcreatedb, rolcreaterole, rolbypassrls, rolreplication, pg_has_role(current_user, $1, 'MEMBER') AS in_group
       FROM pg_roles WHERE rolname = current_user`,
      [SERVICE_GROUP],
    );
    expect(rows).toEqual([{ rolsuper: false, rolcreatedb: false, rolcreaterole: false, rolbypassrls: false, rolreplication: false, in_group: true }]);
    const { rows: owners } = await owner.query(`SELECT current_user AS name`);
    expect(owners[0].name).not.toBe((await service.query(`SELECT current_user AS name`)).rows[0].name);
  });

  it('may append to and read the audit trail', async () => {
    expect((await service.query(`SELECT count(*)::int AS n FROM audit_event WHERE action = 'test.kept'`)).rows[0].n).toBe(1);
  });

  it('is refused UPDATE, DELETE and TRUNCATE on audit_event by privilege, before any trigger', async () => {
    for (const sql of [`UPDATE audit_event SET action = 'forged'`, `DELETE FROM audit_event`, `TRUNCATE audit_event`]) {
      expect({ sql, ...(await refusal(sql)) }).toEqual({ sql, code: '42501', message: expect.stringMatching(/^permission denied for table audit_event$/) });
    }
    // As the owner the same statements reach the append-only trigger: the second wall, not the first.
    await expect(asOwnerRolledBack(`UPDATE audit_event SET action = 'forged'`)).rejects.toThrow(/append-only: UPDATE refused/);
    await expect(asOwnerRolledBack(`TRUNCATE audit_event`)).rejects.toThrow(/append-only: TRUNCATE refused/);
  });

  it('cannot switch triggers off with session_replication_role = replica', async () => {
    expect((await service.query(`SHOW session_replication_role`)).rows).toEqual([{ session_replication_role: 'origin' }]);
    expect(await refusal(`SET session_replication_role = replica`)).toEqual({ code: '42501', message: 'permission denied to set parameter "session_replication_role"' });
    expect(await refusal(`SET LOCAL session_replication_role = replica`)).toMatchObject({ code: '42501' });
    expect((await service.query(`SHOW session_replication_role`)).rows).toEqual([{ session_replication_role: 'origin' }]);
    expect(await refusal(`UPDATE audit_event SET action = 'forged'`)).toMatchObject({ code: '42501' });
    expect(await refusal(`DELETE FROM audit_event`)).toMatchObject({ code: '42501' });
  });

  it('cannot disable the triggers of audit_event', async () => {
    for (const sql of [
      `ALTER TABLE audit_event DISABLE TRIGGER ALL`,
      `ALTER TABLE audit_event DISABLE TRIGGER USER`,
      `ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only`,
      `ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_truncate`,
    ]) {
      expect({ sql, ...(await refusal(sql)) }).toEqual({ sql, code: '42501', message: 'must be owner of table audit_event' });
    }
    // The route is real: the owner, with the user triggers off, could rewrite the trail.
    expect(await asOwnerRolledBack(`ALTER TABLE audit_event DISABLE TRIGGER USER`, `UPDATE audit_event SET action = 'forged'`)).toBe(1);
  });

  it('cannot drop the triggers, nor replace their function', async () => {
    for (const sql of [
      `DROP TRIGGER audit_event_append_only ON audit_event`,
      `DROP TRIGGER audit_event_no_truncate ON audit_event`,
      `CREATE OR REPLACE FUNCTION audit_event_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$`,
      `DROP FUNCTION audit_event_refuse_change() CASCADE`,
    ]) {
      expect({ sql, ...(await refusal(sql)) }).toEqual({ sql, code: '42501', message: expect.stringMatching(/^(must be owner of ((table|relation) audit_event|function audit_event_refuse_change)|permission denied for schema public)$/) });
    }
    expect(await asOwnerRolledBack(`DROP TRIGGER audit_event_append_only ON audit_event`, `DELETE FROM audit_event`)).toBe(1);
  });

  it('cannot create objects in the schema', async () => {
    expect(await refusal(`CREATE TABLE forged (id int)`)).toEqual({ code: '42501', message: 'permission denied for schema public' });
  });

  it('left the trail as it was', async () => {
    expect(await trail()).toEqual([{ id: expect.any(String), action: 'test.kept' }]);
  });

  it('owns no object: no schema, relation, function, type or database', async () => {
    const { rows } = await owner.query(
      `WITH r AS (SELECT oid FROM pg_roles WHERE rolname IN ($1, $2))
       SELECT 'schema' AS kind, nspname::text AS name FROM pg_namespace WHERE nspowner IN (SELECT oid FROM r)
       UNION ALL SELECT 'relation', relname::text FROM pg_class WHERE relowner IN (SELECT oid FROM r)
       UNION ALL SELECT 'function', proname::text FROM pg_proc WHERE proowner IN (SELECT oid FROM r)
       UNION ALL SELECT 'type', typname::text FROM pg_type WHERE typowner IN (SELECT oid FROM r)
       UNION ALL SELECT 'database', datname::text FROM pg_database WHERE datdba IN (SELECT oid FROM r)`,
      [new URL(serviceUrl).username, SERVICE_GROUP],
    );
    expect(rows).toEqual([]);
    // Not vacuous: the same query finds the owner's tables.
    const { rows: owned } = await owner.query(`SELECT count(*)::int AS n FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user) AND relname = 'audit_event'`);
    expect(owned[0].n).toBe(1);
  });

  it('the app runs as the service role, after migrating as the owner', async () => {
    const t = await startTestApp();
    try {
      const [{ name }] = await t.app.get(DataSource).query(`SELECT current_user AS name`);
      expect(name).toBe(new URL(t.config.DATABASE_URL!).username);
      expect(name).toBe(new URL(serviceUrl).username);
      const [{ owner: tableOwner }] = await t.app.get(DataSource).query(`SELECT tableowner AS owner FROM pg_tables WHERE tablename = 'audit_event'`);
      expect(tableOwner).toBe(new URL(t.config.DATABASE_MIGRATION_URL!).username);
      expect(tableOwner).not.toBe(name);
    } finally {
      await t.close();
    }
  });
});
