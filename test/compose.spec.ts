import { spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { Client } from 'pg';
import { parse } from 'yaml';
import { EMBEDDED_ROLES, SERVICE_GROUP } from '../src/database/roles';
import { createTestDatabase } from './support/test-app';

interface Service {
  image?: string;
  build?: string;
  ports?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
}
const compose = parse(readFileSync('docker-compose.yml', 'utf8')) as { services: Record<string, Service> };
const { services } = compose;

/** `docker compose` (v2 plugin) or `docker-compose` (v1), whichever this machine has. */
function composeCli(): string[] | undefined {
  for (const cli of [['docker', 'compose'], ['docker-compose']]) {
    if (spawnSync(cli[0], [...cli.slice(1), 'version'], { encoding: 'utf8' }).status === 0) return cli;
  }
  return undefined;
}

describe('docker-compose.yml', () => {
  it('runs Camunda 8.8 with Elasticsearch, PostgreSQL and the service built from the Dockerfile', () => {
    expect(Object.keys(services).sort()).toEqual(['camunda', 'camunda-provision', 'doudi', 'elasticsearch', 'postgres']);
    expect(services.camunda.image).toMatch(/^camunda\/camunda:8\.8\./);
    expect(services.camunda.ports).toEqual(expect.arrayContaining(['8088:8080', '26500:26500']));
    expect(services.camunda.environment?.CAMUNDA_DATA_SECONDARYSTORAGE_ELASTICSEARCH_URL).toBe('http://elasticsearch:9200');
    expect(services.doudi.build).toBe('.');
  });

  // A one-shot job (restart "no", its own command) has no health: what needs it waits for it to finish well.
  const oneShot = (service: Service & { restart?: string; command?: string[] }) => service.restart === 'no' && Boolean(service.command);

  it('gives every service a health check and starts each only after what it needs is healthy (or, a one-shot job, done)', () => {
    for (const [name, service] of Object.entries(services)) {
      if (!oneShot(service)) expect({ name, healthcheck: Boolean(service.healthcheck?.test?.length) }).toEqual({ name, healthcheck: true });
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(services[dependency]).toBeDefined();
        expect(condition).toBe(oneShot(services[dependency]!) ? 'service_completed_successfully' : 'service_healthy');
      }
    }
    expect(Object.keys(services.doudi.depends_on ?? {}).sort()).toEqual(['camunda', 'camunda-provision', 'postgres']);
  });

  it('provisions Camunda before the service starts: the built script, as the administrator, for the service user the service signs in as', () => {
    const provision = services['camunda-provision'] as Service & { command?: string[] };
    expect(provision.build).toBe('.');
    expect(provision.command).toEqual(['node', 'dist/scripts/provision-camunda.js']);
    const resolved = (value: string | undefined) => value?.replace(/\$\{(\w+):-([^}]*)\}/g, (_, _name: string, fallback: string) => fallback);
    expect(resolved(provision.environment?.CAMUNDA_BASIC_AUTH_USERNAME)).toBe(resolved(services.camunda.environment?.CAMUNDA_SECURITY_INITIALIZATION_USERS_0_USERNAME));
    expect(resolved(provision.environment?.DOUDI_CAMUNDA_PASSWORD)).toBe(resolved(services.doudi.environment?.CAMUNDA_BASIC_AUTH_PASSWORD));
  });

  it('runs Camunda with authentication and authorizations on, and Tasklist in the mode that honours candidate groups', () => {
    const env = services.camunda.environment ?? {};
    expect(env).toMatchObject({
      CAMUNDA_SECURITY_AUTHENTICATION_UNPROTECTEDAPI: 'false',
      CAMUNDA_SECURITY_AUTHORIZATIONS_ENABLED: 'true',
      // 8.8: V1 mode applies user task access restrictions (candidate groups); V2 authorizes per process only.
      CAMUNDA_TASKLIST_V2_MODE_ENABLED: 'false',
    });
    expect(env.CAMUNDA_SECURITY_INITIALIZATION_USERS_0_USERNAME).toBeDefined();
    // The service signs in as a user of its own, not as the administrator.
    expect(services.doudi.environment).toMatchObject({ CAMUNDA_AUTH_STRATEGY: 'BASIC', CAMUNDA_BASIC_AUTH_USERNAME: 'doudi-service' });
  });

  it('points the service at the stack: its PostgreSQL, the Camunda REST API, production auth', () => {
    const env = services.doudi.environment ?? {};
    expect(env.DATABASE_URL).toMatch(/@postgres:5432\/doudi$/);
    expect(env.DATABASE_MIGRATION_URL).toMatch(/@postgres:5432\/doudi$/);
    expect(env.ZEEBE_REST_ADDRESS).toBe('http://camunda:8080');
    expect(env).toMatchObject({ NODE_ENV: 'production', AUTH_MODE: 'oidc' });
  });

  describe('database roles (least privilege)', () => {
    const INIT = 'docker/postgres-init/10-doudi-roles.sh';
    const env = services.doudi.environment ?? {};
    const postgresEnv = services.postgres.environment ?? {};

    it('runs its roles script when PostgreSQL initialises a new volume, and is healthy only once it is done (TCP)', () => {
      expect(services.postgres.volumes).toContain('./docker/postgres-init:/docker-entrypoint-initdb.d:ro');
      expect(() => accessSync(INIT, constants.X_OK)).not.toThrow();
      expect(services.postgres.healthcheck?.test.join(' ')).toMatch(/pg_isready -h 127\.0\.0\.1 /);
    });

    it('runs the service as doudi_app and the migrations as doudi_owner, on the same database, with the passwords the script sets', () => {
      // Compose would substitute ${VAR:-default}; the defaults are what a plain `docker compose up` uses.
      const resolved = (value: string) => value.replace(/\$\{(\w+):-([^}]*)\}/g, (_, name: string, fallback: string) => fallback);
      const service = new URL(resolved(env.DATABASE_URL!));
      const owner = new URL(resolved(env.DATABASE_MIGRATION_URL!));
      expect([service.username, owner.username]).toEqual([EMBEDDED_ROLES.service.name, EMBEDDED_ROLES.owner.name]);
      expect([service.host, service.pathname]).toEqual(['postgres:5432', '/doudi']);
      expect([owner.host, owner.pathname]).toEqual(['postgres:5432', '/doudi']);
      expect(env.DATABASE_URL).toContain('${DOUDI_APP_PASSWORD:-');
      expect(env.DATABASE_MIGRATION_URL).toContain('${DOUDI_OWNER_PASSWORD:-');
      expect(service.password).toBe(resolved(postgresEnv.DOUDI_APP_PASSWORD!));
      expect(owner.password).toBe(resolved(postgresEnv.DOUDI_OWNER_PASSWORD!));
    });

    // The script itself, run with psql as the postgres image would, on a database of this run's embedded server
    // (whose roles have the same names: the script must leave them as they are, apart from the owner of new objects).
    const ownerUrl = process.env.DATABASE_MIGRATION_URL;
    const psql = spawnSync('psql', ['--version']).status === 0;
    const runnable = psql && ownerUrl && new URL(ownerUrl).username === EMBEDDED_ROLES.owner.name;
    if (!runnable) console.warn(`${INIT}: not run here (needs psql and the embedded test server)`);
    (runnable ? it : it.skip)('the script creates the roles, hands an older volume\'s objects to the owner, and may run again', async () => {
      const serviceUrl = new URL(await createTestDatabase());
      const database = serviceUrl.pathname.slice(1);
      const superuserUrl = new URL(serviceUrl);
      superuserUrl.username = EMBEDDED_ROLES.superuser.name;
      superuserUrl.password = EMBEDDED_ROLES.superuser.password;
      const superuser = new Client({ connectionString: superuserUrl.toString() });
      await superuser.connect();
      try {
        // An older volume: the superuser owned the database and created the tables.
        await superuser.query(`ALTER DATABASE ${database} OWNER TO ${EMBEDDED_ROLES.superuser.name}`);
        await superuser.query(`CREATE TABLE old_row (id serial PRIMARY KEY)`);
        await superuser.query(`CREATE FUNCTION old_fn() RETURNS int LANGUAGE sql AS 'SELECT 1'`);
        for (let run = 0; run < 2; run++) {
          const result = spawnSync('sh', [INIT], {
            encoding: 'utf8',
            env: {
              PATH: process.env.PATH, PGHOST: superuserUrl.hostname, PGPORT: superuserUrl.port, PGPASSWORD: EMBEDDED_ROLES.superuser.password,
              POSTGRES_USER: EMBEDDED_ROLES.superuser.name, POSTGRES_DB: database,
              DOUDI_OWNER_PASSWORD: EMBEDDED_ROLES.owner.password, DOUDI_APP_PASSWORD: EMBEDDED_ROLES.service.password,
            },
          });
          expect({ run, status: result.status, stderr: result.stderr }).toEqual({ run, status: 0, stderr: '' });
        }
        const { rows } = await superuser.query(
          `SELECT 'database' AS what, pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = current_database()
           UNION ALL SELECT relname, pg_get_userbyid(relowner) FROM pg_class WHERE relname IN ('old_row', 'old_row_id_seq')
           UNION ALL SELECT proname, pg_get_userbyid(proowner) FROM pg_proc WHERE proname = 'old_fn' ORDER BY 1`,
        );
        expect(rows).toEqual(['database', 'old_fn', 'old_row', 'old_row_id_seq'].map((what) => ({ what, owner: EMBEDDED_ROLES.owner.name })));
        const { rows: roles } = await superuser.query(
          `SELECT rolname, rolcanlogin, rolsuper, rolcreaterole, pg_has_role(rolname, $1, 'MEMBER') AS in_group FROM pg_roles WHERE rolname IN ($1, $2, $3) ORDER BY 1`,
          [SERVICE_GROUP, EMBEDDED_ROLES.service.name, EMBEDDED_ROLES.owner.name],
        );
        expect(roles).toEqual([
          { rolname: EMBEDDED_ROLES.service.name, rolcanlogin: true, rolsuper: false, rolcreaterole: false, in_group: true },
          { rolname: EMBEDDED_ROLES.owner.name, rolcanlogin: true, rolsuper: false, rolcreaterole: false, in_group: false },
          { rolname: SERVICE_GROUP, rolcanlogin: false, rolsuper: false, rolcreaterole: false, in_group: true },
        ]);
      } finally {
        await superuser.end();
      }
    });
  });

  const cli = composeCli();
  if (!cli) console.warn('docker-compose.yml: no `docker compose` or `docker-compose` here, so `config` was not run (.ci/run installs one)');
  (cli ? it : it.skip)('is accepted by `docker compose config`', () => {
    const result = spawnSync(cli![0], [...cli!.slice(1), 'config', '-q'], { encoding: 'utf8' });
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
  });
});
