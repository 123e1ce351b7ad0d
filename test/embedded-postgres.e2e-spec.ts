import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { dataSourceOptions, migrateDatabase } from '../src/database/data-source-options';
import { EMBEDDED_ROLES, SERVICE_GROUP } from '../src/database/roles';
import { freePort } from './support/free-port';
import { PostgresProcess } from './support/postgres-process';
import { until } from './support/replicas';

/**
 * The embedded PostgreSQL of `npm start`, on a server of this file's own (folder and port): it creates the owner and
 * service roles, also on a data folder from before them, and it is supervised — killed, it comes back.
 */
describe('embedded PostgreSQL', () => {
  const dir = `.data/test-runs/embedded-${process.pid}`;
  const DATABASE = 'doudi_embedded';
  let port: number;
  let db: PostgresProcess | undefined;
  const started = async (server: PostgresProcess) => (await server.start(), server);
  const superuserUrl = () => `postgres://doudi:doudi@localhost:${port}/${DATABASE}`;
  const postmasterPid = () => Number(readFileSync(join(dir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  /** Whether a new connection is accepted now. */
  const accepts = async (url: string) => {
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  };
  const query = async (url: string, sql: string) => {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query(sql)).rows;
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    port = await freePort();
    db = await started(new PostgresProcess(dir, port, DATABASE));
  });
  afterAll(async () => {
    await db?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives the service and the migrations URLs of their own roles, both accepted, keeping `url` the service\'s', async () => {
    expect(new URL(db!.url).username).toBe(EMBEDDED_ROLES.service.name);
    expect(new URL(db!.migrationUrl).username).toBe(EMBEDDED_ROLES.owner.name);
    expect(await query(db!.url, `SELECT current_user AS name, pg_has_role(current_user, '${SERVICE_GROUP}', 'MEMBER') AS member`)).toEqual([
      { name: EMBEDDED_ROLES.service.name, member: true },
    ]);
    expect(await query(db!.migrationUrl, `SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = current_database()`)).toEqual([
      { owner: EMBEDDED_ROLES.owner.name },
    ]);
  });

  it('on a data folder from before the two roles, hands the superuser\'s objects to the owner, and the grants reach them', async () => {
    // What an older `npm start` left: everything created by the bootstrap superuser.
    const superuser = new Client({ connectionString: superuserUrl() });
    await superuser.connect();
    try {
      await superuser.query(`ALTER DATABASE ${DATABASE} OWNER TO doudi`);
      await superuser.query(`CREATE TYPE legacy_kind AS ENUM ('a', 'b')`);
      await superuser.query(`CREATE TABLE legacy_row (id serial PRIMARY KEY, kind legacy_kind NOT NULL)`);
      await superuser.query(`CREATE SEQUENCE legacy_number_seq`);
      await superuser.query(`CREATE VIEW legacy_view AS SELECT id FROM legacy_row`);
      await superuser.query(`CREATE FUNCTION legacy_fn() RETURNS int LANGUAGE sql AS 'SELECT 1'`);
    } finally {
      await superuser.end();
    }
    expect(await db!.stop()).toBe(0);
    db = await started(new PostgresProcess(dir, port, DATABASE));

    const owners = await query(
      superuserUrl(),
      `SELECT relname AS name, pg_get_userbyid(relowner) AS owner FROM pg_class WHERE relname IN ('legacy_row', 'legacy_row_id_seq', 'legacy_number_seq', 'legacy_view', 'legacy_row_pkey')
       UNION ALL SELECT proname, pg_get_userbyid(proowner) FROM pg_proc WHERE proname = 'legacy_fn'
       UNION ALL SELECT typname, pg_get_userbyid(typowner) FROM pg_type WHERE typname IN ('legacy_kind', '_legacy_kind')
       UNION ALL SELECT datname, pg_get_userbyid(datdba) FROM pg_database WHERE datname = '${DATABASE}'
       ORDER BY 1`,
    );
    expect(owners).toEqual(
      ['_legacy_kind', DATABASE, 'legacy_fn', 'legacy_kind', 'legacy_number_seq', 'legacy_row', 'legacy_row_id_seq', 'legacy_row_pkey', 'legacy_view'].map((name) => ({ name, owner: EMBEDDED_ROLES.owner.name })),
    );
    // The owner migrates; the grants migration covers the tables it finds, old ones too.
    await migrateDatabase(db!.migrationUrl);
    expect(await query(db!.url, `INSERT INTO legacy_row (kind) VALUES ('a') RETURNING id`)).toEqual([{ id: 1 }]);
    expect(await query(db!.url, `SELECT nextval('legacy_number_seq')::int AS n`)).toEqual([{ n: 1 }]);
    expect(await query(db!.url, `SELECT count(*)::int AS n FROM legacy_view`)).toEqual([{ n: 1 }]);
  });

  it('killed (kill -9 of the postmaster), is restarted, and the service\'s connection pool reconnects', async () => {
    const pool = new DataSource({ ...dataSourceOptions(db!.url), migrations: [], poolSize: 2 } as DataSourceOptions);
    await pool.initialize();
    try {
      expect(await pool.query(`SELECT current_user AS name`)).toEqual([{ name: EMBEDDED_ROLES.service.name }]);
      const killed = postmasterPid();
      process.kill(killed, 'SIGKILL');
      // Down first (its backends follow the postmaster), then up again on its own.
      await until('the killed server to refuse connections', () => accepts(db!.url), (up) => !up, 10_000);
      await until('the server to accept connections again', () => accepts(db!.url), (up) => up, 40_000);
      expect(postmasterPid()).not.toBe(killed);
      expect(db!.output).toMatch(/embedded-postgres on port \d+: exited \(SIGKILL\); restarting in 500 ms/);
      // The pool's old connections died with the server; the next query gets a new one.
      expect(await pool.query(`SELECT current_user AS name`)).toEqual([{ name: EMBEDDED_ROLES.service.name }]);
    } finally {
      await pool.destroy();
    }
  });

  // That nothing restarts after stop() is shown without waiting in src/database/supervisor.spec.ts.
  it('stopped, the server is down and the process ends: stop() ends the supervision', async () => {
    const pid = postmasterPid();
    expect(await db!.stop()).toBe(0);
    db = undefined;
    expect(await accepts(superuserUrl())).toBe(false);
    expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
  });

  it('stop() right after a kill does not wait for the dead process', async () => {
    db = await started(new PostgresProcess(dir, port, DATABASE));
    process.kill(postmasterPid(), 'SIGKILL');
    expect(await db.stop()).toBe(0);
    db = undefined;
    expect(await accepts(superuserUrl())).toBe(false);
  });
});
