import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres';

/**
 * Runs a benchmark on a database of its own: on DATABASE_URL's server, else on an embedded PostgreSQL in
 * .data/bench-postgres; the database is dropped afterwards, whatever happens. Benchmarks run as the schema owner
 * (DATABASE_MIGRATION_URL when given): they create the database, migrate it and load it.
 */
export async function withBenchDatabase(prefix: string, run: (databaseUrl: string) => Promise<void>): Promise<void> {
  const server = process.env.DATABASE_URL ? undefined : await startEmbeddedPostgres('.data/bench-postgres', 54349, 'doudi_bench');
  const adminUrl = server?.migrationUrl ?? process.env.DATABASE_MIGRATION_URL ?? process.env.DATABASE_URL!;
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
