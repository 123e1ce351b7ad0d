import { join } from 'node:path';
import type { DataSourceOptions } from 'typeorm';

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
