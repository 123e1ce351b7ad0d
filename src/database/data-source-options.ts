import { join } from 'node:path';
import { types } from 'pg';
import { withAdvisoryLock } from './advisory-lock';
import { DataSource, type DataSourceOptions, type Migration, MigrationExecutor, type QueryRunner } from 'typeorm';

// A `date` column is a calendar date (YYYY-MM-DD), not an instant: parsed into a JS Date it would shift by the
// server's time zone (2026-06-30 becomes 2026-06-29T16:00Z in Asia/Shanghai).
types.setTypeParser(types.builtins.DATE, (value: string) => value);

/**
 * The advisory-lock key every process holds while it migrates (`pg_advisory_lock`, src/database/migrate.ts):
 * a fixed 64-bit number, the same in every replica and in the embedded engine ("doudi-mg" in ASCII).
 */
export const MIGRATION_LOCK_KEY = '7237132200329440615';

/** The one TypeORM configuration: schema only through migrations, never `synchronize`. */
export function dataSourceOptions(url: string): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    synchronize: false,
    migrationsTableName: 'schema_migrations',
    // Compiled (.js) in dist, TypeScript under ts-node and Jest.
    migrations: [join(__dirname, '..', '..', 'migrations', '*.{js,ts}')],
    migrationsTransactionMode: 'each',
  };
}

/**
 * Runs `work` holding the migration lock: a session-level PostgreSQL advisory lock on a fixed key, taken and
 * released on the one connection `work` is given. Several replicas (and the embedded engine) starting at once on
 * one database take turns: the first migrates, the others wait, then find nothing pending. Closing the connection
 * (a crash) releases the lock too.
 */
export function withMigrationLock<T>(dataSource: DataSource, work: (queryRunner: QueryRunner) => Promise<T>): Promise<T> {
  return withAdvisoryLock(dataSource, MIGRATION_LOCK_KEY, work);
}

/** The pending migrations of an initialised data source, run under the migration lock on the lock's connection. */
export function runPendingMigrations(dataSource: DataSource): Promise<Migration[]> {
  return withMigrationLock(dataSource, (queryRunner) => {
    const executor = new MigrationExecutor(dataSource, queryRunner);
    executor.transaction = dataSource.options.migrationsTransactionMode ?? 'all';
    return executor.executePendingMigrations();
  });
}

/** Migrates the database at `url` (its own short-lived connection pool), safe with several processes at once. */
export async function migrateDatabase(url: string): Promise<Migration[]> {
  const dataSource = new DataSource({ ...dataSourceOptions(url), poolSize: 2 } as DataSourceOptions);
  await dataSource.initialize();
  try {
    return await runPendingMigrations(dataSource);
  } finally {
    await dataSource.destroy();
  }
}
