import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Zeebe de-duplicates a published message by name, correlation key and message id (per tenant): the same id under
 * another correlation key is a different message.
 */
export class EngineMessageIdPerCorrelationKey1764028800000 implements MigrationInterface {
  name = 'EngineMessageIdPerCorrelationKey1764028800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX engine_message_id_idx`);
    await q.query(`CREATE UNIQUE INDEX engine_message_id_idx ON engine_message (tenant_id, name, correlation_key, message_id) WHERE message_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX engine_message_id_idx`);
    await q.query(`CREATE UNIQUE INDEX engine_message_id_idx ON engine_message (tenant_id, name, message_id) WHERE message_id IS NOT NULL`);
  }
}
