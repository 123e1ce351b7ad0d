import { rmSync } from 'node:fs';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres';
import { freePort } from './free-port';

/**
 * One PostgreSQL server for the whole run: DATABASE_URL (and DATABASE_MIGRATION_URL) when given, else a fresh embedded
 * one in a folder and on a port of this run's own, so that two test runs on one machine never share (or wipe) each
 * other's server. Every app under test then connects as the service role and migrates as the owner, as in production.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.DATABASE_URL) return;
  const dir = `.data/test-runs/run-${process.pid}`;
  rmSync(dir, { recursive: true, force: true });
  const port = process.env.TEST_PG_PORT ? Number(process.env.TEST_PG_PORT) : await freePort();
  const server = await startEmbeddedPostgres(dir, port, 'doudi_test');
  process.env.DATABASE_URL = server.url;
  process.env.DATABASE_MIGRATION_URL = server.migrationUrl;
  (globalThis as { embeddedPostgres?: { stop(): Promise<void>; dir: string } }).embeddedPostgres = { stop: server.stop, dir };
}
