import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 15: a completion through the task API and its audit row cannot be separated by a crash. The audit row and
 * this intent commit together before the engine is called; the outcome is settled after the call, or by the
 * reconciler from the engine's task state when the service died in between.
 */
export class TaskCompletions1764979200000 implements MigrationInterface {
  name = 'TaskCompletions1764979200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE task_completion (
        id             bigserial PRIMARY KEY,
        user_task_key  text NOT NULL,
        audit_event_id bigint NOT NULL,
        actor_id       text NOT NULL,
        region_code    text NOT NULL,
        subject_type   text NOT NULL,
        subject_id     text NOT NULL,
        requested_at   timestamptz NOT NULL,
        settled_at     timestamptz,
        outcome        text CHECK (outcome IN ('completed', 'failed', 'abandoned')),
        CHECK ((outcome IS NULL) = (settled_at IS NULL))
      )`);
    await q.query(`CREATE INDEX task_completion_pending_idx ON task_completion (requested_at) WHERE settled_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE task_completion`);
  }
}
