import type { DataSource, QueryRunner } from 'typeorm';

/**
 * Work that several replicas must not do at once, under a PostgreSQL session-level advisory lock on a fixed 64-bit
 * key, taken and released on one connection of its own (no transaction: the work may call the engine). A crash
 * closes the connection and so releases the lock too.
 */
export async function withAdvisoryLock<T>(dataSource: DataSource, key: string, work: (queryRunner: QueryRunner) => Promise<T>): Promise<T> {
  const outcome = await holding(dataSource, key, 'wait', work);
  return (outcome as { value: T }).value;
}

/** As `withAdvisoryLock`, but when another process holds the lock nothing runs and `{ ran: false }` is answered. */
export function tryWithAdvisoryLock<T>(dataSource: DataSource, key: string, work: (queryRunner: QueryRunner) => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
  return holding(dataSource, key, 'try', work);
}

async function holding<T>(dataSource: DataSource, key: string, mode: 'wait' | 'try', work: (queryRunner: QueryRunner) => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
  const queryRunner = dataSource.createQueryRunner();
  await queryRunner.connect();
  try {
    if (mode === 'try') {
      const [{ locked }] = await queryRunner.query(`SELECT pg_try_advisory_lock($1) AS locked`, [key]);
      if (!locked) return { ran: false };
    } else {
      await queryRunner.query(`SELECT pg_advisory_lock($1)`, [key]);
    }
    try {
      return { ran: true, value: await work(queryRunner) };
    } finally {
      await queryRunner.query(`SELECT pg_advisory_unlock($1)`, [key]);
    }
  } finally {
    await queryRunner.release();
  }
}
