import { rmSync } from 'node:fs';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres';

/** One PostgreSQL server for the whole run: DATABASE_URL when given, else a fresh embedded one. */
export default async function globalSetup(): Promise<void> {
  if (process.env.DATABASE_URL) return;
  const dir = '.data/test-postgres';
  rmSync(dir, { recursive: true, force: true });
  const server = await startEmbeddedPostgres(dir, Number(process.env.TEST_PG_PORT ?? 54339), 'doudi_test');
  process.env.DATABASE_URL = server.url;
  (globalThis as { embeddedPostgres?: { stop(): Promise<void> } }).embeddedPostgres = server;
}
