import { join } from 'node:path';
import { types } from 'pg';
import type { DataSourceOptions } from 'typeorm';

// A `date` column is a calendar date (YYYY-MM-DD), not an instant: parsed into a JS Date it would shift by the
// server's time zone (2026-06-30 becomes 2026-06-29T16:00Z in Asia/Shanghai).
types.setTypeParser(types.builtins.DATE, (value: string) => value);

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
