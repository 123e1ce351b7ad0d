import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres';

/**
 * Runs a benchmark on a database of its own: on DATABASE_URL's server, else on an embedded PostgreSQL in
 * .data/bench-postgres; the database is dropped afterwards, whatever happens.
 */
export async function withBenchDatabase(prefix: string, run: (databaseUrl: string) => Promise<void>): Promise<void> {
  const server = process.env.DATABASE_URL ? undefined : await startEmbeddedPostgres('.data/bench-postgres', 54349, 'doudi_bench');
  const adminUrl = process.env.DATABASE_URL ?? server!.url;
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    await run(url.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
    await server?.stop();
  }
}

/** Benchmarks print their numbers; a failure prints the error and exits non-zero. */
export function runBenchmark(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
