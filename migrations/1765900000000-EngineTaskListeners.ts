import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * User-task listeners in the embedded engine (issue 20), as Camunda 8.8 has them: a job is a task listener's
 * (`kind` TASK_LISTENER, `listener_event_type` COMPLETING / ASSIGNING) with the task's properties as the job's
 * `user_task`; a task in the middle of a transition is COMPLETING or ASSIGNING and keeps what the transition carries
 * (the completion's variables, the new assignee, the listeners' corrections, the next listener) in `transition`, so a
 * restart between two listeners continues where it stopped. No new table: the grants of the engine's tables hold.
 */
export class EngineTaskListeners1765900000000 implements MigrationInterface {
  name = 'EngineTaskListeners1765900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE engine_job ADD COLUMN kind text NOT NULL DEFAULT 'BPMN_ELEMENT',
      ADD COLUMN listener_event_type text NOT NULL DEFAULT 'UNSPECIFIED', ADD COLUMN user_task jsonb`);
    await q.query(`ALTER TABLE engine_user_task DROP CONSTRAINT engine_user_task_state_check`);
    await q.query(`ALTER TABLE engine_user_task ADD CONSTRAINT engine_user_task_state_check
      CHECK (state IN ('CREATED', 'ASSIGNING', 'COMPLETING', 'COMPLETED', 'CANCELED'))`);
    await q.query(`ALTER TABLE engine_user_task ADD COLUMN transition jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE engine_user_task DROP COLUMN transition`);
    await q.query(`UPDATE engine_user_task SET state = 'CREATED' WHERE state IN ('ASSIGNING', 'COMPLETING')`);
    await q.query(`ALTER TABLE engine_user_task DROP CONSTRAINT engine_user_task_state_check`);
    await q.query(`ALTER TABLE engine_user_task ADD CONSTRAINT engine_user_task_state_check CHECK (state IN ('CREATED', 'COMPLETED', 'CANCELED'))`);
    await q.query(`DELETE FROM engine_job WHERE kind = 'TASK_LISTENER'`);
    await q.query(`ALTER TABLE engine_job DROP COLUMN kind, DROP COLUMN listener_event_type, DROP COLUMN user_task`);
  }
}
