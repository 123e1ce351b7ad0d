import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 18, separation of duties: which step of which process a completion did, so the task API can tell from our
 * own records who proposed or investigated a case. Earlier intents take it from their audit row.
 */
export class TaskCompletionStep1765700001000 implements MigrationInterface {
  name = 'TaskCompletionStep1765700001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE task_completion ADD COLUMN process_definition_id text, ADD COLUMN element_id text`);
    await q.query(`
      UPDATE task_completion t SET element_id = a.details->>'elementId'
      FROM audit_event a WHERE a.id = t.audit_event_id`);
    await q.query(`CREATE INDEX task_completion_subject_idx ON task_completion (subject_type, subject_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX task_completion_subject_idx`);
    await q.query(`ALTER TABLE task_completion DROP COLUMN process_definition_id, DROP COLUMN element_id`);
  }
}
