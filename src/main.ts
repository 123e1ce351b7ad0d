import 'reflect-metadata';
import { createApp } from './app.factory';
import { isDatabaseUnavailable } from './common/database-unavailable';
import { plainLogger } from './common/logging';
import { serviceClock } from './common/clock';
import { onStopSignal } from './common/stop-signals';
import { ConfigError, loadConfig } from './config/app-config';
import { EmbeddedDatabase, startEmbeddedPostgres } from './database/embedded-postgres';
import { EngineServer, startEngineServer } from './engine/engine-server';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  let embedded: EmbeddedDatabase | undefined;
  if (!config.DATABASE_URL) {
    embedded = await startEmbeddedPostgres(config.EMBEDDED_PG_DIR, config.EMBEDDED_PG_PORT, 'doudi', plainLogger('embedded-postgres', config.LOG_LEVEL));
    config.DATABASE_URL = embedded.url;
    config.DATABASE_MIGRATION_URL = embedded.migrationUrl;
  }
  let engine: EngineServer | undefined;
  const log = plainLogger('doudi', config.LOG_LEVEL);
  try {
    // No external Camunda configured: the embedded engine serves the same /v2 API, on the same database.
    if (!config.ZEEBE_REST_ADDRESS) {
      engine = await startEngineServer({ databaseUrl: config.DATABASE_URL, migrationUrl: config.DATABASE_MIGRATION_URL, port: config.EMBEDDED_ENGINE_PORT, log: plainLogger('embedded-engine', config.LOG_LEVEL) });
      config.ZEEBE_REST_ADDRESS = engine.url;
    }
    // One clock outside production: the service reads the in-process engine's (README "A training install").
    const app = await createApp(config, { clock: serviceClock(config, engine?.engine) });
    await app.listen(config.PORT);
    // In order: Nest stops its workers (jobs in hand finish), its HTTP server and its pool; then the engine (its
    // timer sweep awaited) and its pool; then PostgreSQL. Each step runs even if one before failed.
    onStopSignal(async (signal) => {
      log.info(`${signal} received: stopping`);
      let failed = false;
      const step = async (what: string, work: () => Promise<unknown> | undefined) => {
        try {
          await work();
        } catch (error) {
          if (isDatabaseUnavailable(error)) return;
          failed = true;
          log.warn({ err: error }, `stopping ${what} failed`);
        }
      };
      await step('the application', () => app.close());
      await step('the embedded engine', () => engine?.close());
      await step('the embedded database', () => embedded?.stop());
      log.info('stopped');
      process.exit(failed ? 1 : 0);
    });
  } catch (error) {
    await engine?.close();
    await embedded?.stop();
    throw error;
  }
}

bootstrap().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
