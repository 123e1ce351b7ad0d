/* `npm run engine`: the embedded Camunda-compatible engine on its own (DATABASE_URL, or embedded PostgreSQL). */
import 'reflect-metadata';
import { onStopSignal } from '../common/stop-signals';
import { ConfigError, loadConfig } from '../config/app-config';
import { startEmbeddedPostgres } from '../database/embedded-postgres';
import { startEngineServer } from './engine-server';

async function main(): Promise<void> {
  const config = loadConfig();
  const database = config.DATABASE_URL ? undefined : await startEmbeddedPostgres(config.EMBEDDED_PG_DIR, config.EMBEDDED_PG_PORT);
  const server = await startEngineServer({
    databaseUrl: config.DATABASE_URL ?? database!.url,
    migrationUrl: database?.migrationUrl ?? config.DATABASE_MIGRATION_URL,
    port: config.EMBEDDED_ENGINE_PORT,
  });
  console.log(`embedded engine: Camunda 8.8 REST API at ${server.url}/v2`);
  // The engine first (its sweep awaited), then its PostgreSQL; not the package's own hook, which stops it at once.
  onStopSignal(async () => {
    await server.close().catch(() => undefined);
    await database?.stop();
    process.exit(0);
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
