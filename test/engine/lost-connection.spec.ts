import { Pool } from 'pg';
import { transaction } from '../../src/engine/store';
import { createTestDatabase } from '../support/test-app';

/**
 * A connection cut while the engine holds it between two statements (PostgreSQL stopping, a restart) makes the pg
 * client emit 'error'; with no listener that is an uncaught exception. The command must fail instead, and the pool
 * must not hand out the dead connection again.
 */
describe('engine transaction on a lost connection', () => {
  let pool: Pool;
  let admin: Pool;

  beforeAll(async () => {
    const url = await createTestDatabase();
    pool = new Pool({ connectionString: url, max: 1 });
    admin = new Pool({ connectionString: url, max: 1 });
  });

  afterAll(async () => {
    await pool?.end();
    await admin?.end();
  });

  it('fails the command, not the process, and the next command gets a fresh connection', async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      const outcome = transaction(pool, async (client) => {
        const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
        // Work between two statements (as deploy compiles its models) while the server cuts the connection.
        await Promise.race([new Promise((ended) => client.once('end', ended)), new Promise((_, late) => setTimeout(() => late(new Error('connection not cut')), 10_000).unref())]);
        await client.query('SELECT 1');
      });
      await expect(outcome).rejects.toThrow();
      expect(uncaught).toEqual([]);
      await expect(transaction(pool, async (client) => (await client.query('SELECT 1 AS one')).rows[0].one)).resolves.toBe(1);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });
});
