/* `npm run migration:run` / `npm run migration:revert`: the same migrations the service runs at start-up. */
import 'reflect-metadata';
import { DataSource, MigrationExecutor } from 'typeorm';
import { loadConfig } from '../config/app-config';
import { dataSourceOptions, runPendingMigrations, withMigrationLock } from './data-source-options';
import { startEmbeddedPostgres } from './embedded-postgres';

async function main(command: string | undefined): Promise<void> {
  if (command !== 'run' && command !== 'revert') throw new Error('usage: migrate run|revert');
  const config = loadConfig();
  const embedded = config.DATABASE_URL ? undefined : await startEmbeddedPostgres(config.EMBEDDED_PG_DIR, config.EMBEDDED_PG_PORT);
  // Migrations run as the schema owner (README "Database roles").
  const dataSource = new DataSource(dataSourceOptions(embedded?.migrationUrl ?? config.DATABASE_MIGRATION_URL ?? config.DATABASE_URL!));
  try {
    await dataSource.initialize();
    if (command === 'run') {
      const applied = await runPendingMigrations(dataSource);
      console.log(applied.length ? `applied: ${applied.map((m) => m.name).join(', ')}` : 'no pending migrations');
    } else {
      await withMigrationLock(dataSource, async (queryRunner) => {
        const executor = new MigrationExecutor(dataSource, queryRunner);
        executor.transaction = dataSource.options.migrationsTransactionMode ?? 'all';
        await executor.undoLastMigration();
      });
      console.log('reverted the last migration');
    }
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await embedded?.stop();
  }
}

// Run as a script only (`npm run migration:run`), not when imported.
if (require.main === module) {
  main(process.argv[2]).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
