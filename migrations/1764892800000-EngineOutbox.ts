import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Engine commands leave through an outbox, and idempotency keys are per caller everywhere.
 * - `engine_outbox`: a command for the engine (start a process, publish a message) written in the same transaction as
 *   the rows it belongs to and dispatched after the commit (src/outbox/). A row is claimed with a lease
 *   (`claimed_until`) so several replicas never dispatch it at once; `next_attempt_at` is its back-off after a failure.
 *   One start per business key (`dibao-case:<id>`, `temporary-aid-request:<id>`).
 * - `temporary_aid_request.idempotency_key` and `reserve_fund_entry.idempotency_key` were unique across all callers:
 *   two integrators using the same key collided. They are unique per caller now, like `dibao_case`'s.
 */
export class EngineOutbox1764892800000 implements MigrationInterface {
  name = 'EngineOutbox1764892800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE engine_outbox (
        id              bigserial PRIMARY KEY,
        kind            text NOT NULL CHECK (kind IN ('start-process', 'publish-message')),
        process_id      text,
        message_name    text,
        correlation_key text,
        business_key    text NOT NULL,
        subject_type    text NOT NULL,
        subject_id      text NOT NULL,
        variables       jsonb NOT NULL DEFAULT '{}',
        created_at      timestamptz NOT NULL DEFAULT now(),
        dispatched_at   timestamptz,
        attempts        integer NOT NULL DEFAULT 0,
        last_error      text,
        result          jsonb,
        claimed_until   timestamptz,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        CHECK (kind <> 'start-process' OR process_id IS NOT NULL),
        CHECK (kind <> 'publish-message' OR (message_name IS NOT NULL AND correlation_key IS NOT NULL))
      )`);
    await q.query(`CREATE UNIQUE INDEX engine_outbox_one_start ON engine_outbox (business_key) WHERE kind = 'start-process'`);
    await q.query(`CREATE INDEX engine_outbox_pending_idx ON engine_outbox (next_attempt_at) WHERE dispatched_at IS NULL`);
    await q.query(`CREATE INDEX engine_outbox_subject_idx ON engine_outbox (subject_type, subject_id)`);

    await q.query(`ALTER TABLE temporary_aid_request DROP CONSTRAINT temporary_aid_request_idempotency_key_key`);
    await q.query(`ALTER TABLE temporary_aid_request ADD CONSTRAINT temporary_aid_request_idempotency_key_key UNIQUE (created_by, idempotency_key)`);
    await q.query(`ALTER TABLE reserve_fund_entry DROP CONSTRAINT reserve_fund_entry_idempotency_key_key`);
    await q.query(`ALTER TABLE reserve_fund_entry ADD CONSTRAINT reserve_fund_entry_idempotency_key_key UNIQUE (actor_id, idempotency_key)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE reserve_fund_entry DROP CONSTRAINT reserve_fund_entry_idempotency_key_key`);
    await q.query(`ALTER TABLE reserve_fund_entry ADD CONSTRAINT reserve_fund_entry_idempotency_key_key UNIQUE (idempotency_key)`);
    await q.query(`ALTER TABLE temporary_aid_request DROP CONSTRAINT temporary_aid_request_idempotency_key_key`);
    await q.query(`ALTER TABLE temporary_aid_request ADD CONSTRAINT temporary_aid_request_idempotency_key_key UNIQUE (idempotency_key)`);
    await q.query(`DROP TABLE engine_outbox`);
  }
}
