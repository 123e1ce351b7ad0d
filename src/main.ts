import 'reflect-metadata';
import { createApp } from './app.factory';
import { ConfigError, loadConfig } from './config/app-config';
import { EmbeddedDatabase, startEmbeddedPostgres } from './database/embedded-postgres';
import { EngineServer, startEngineServer } from './engine/engine-server';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  let embedded: EmbeddedDatabase | undefined;
  if (!config.DATABASE_URL) {
    embedded = await startEmbeddedPostgres(config.EMBEDDED_PG_DIR, config.EMBEDDED_PG_PORT);
    config.DATABASE_URL = embedded.url;
    config.DATABASE_MIGRATION_URL = embedded.migrationUrl;
  }
  let engine: EngineServer | undefined;
  try {
    // No external Camunda configured: the embedded engine serves the same /v2 API, on the same database.
    if (!config.ZEEBE_REST_ADDRESS) {
      engine = await startEngineServer({ databaseUrl: config.DATABASE_URL, migrationUrl: config.DATABASE_MIGRATION_URL, port: config.EMBEDDED_ENGINE_PORT });
      config.ZEEBE_REST_ADDRESS = engine.url;
    }
    const app = await createApp(config);
    await app.listen(config.PORT);
    // Stop the embedded servers only after Nest has closed its connections.
    const shutdown = async () => {
      await app.close();
      await engine?.close();
      await embedded?.stop();
      process.exit(0);
    };
    process.once('SIGINT', () => void shutdown());
    process.once('SIGTERM', () => void shutdown());
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
