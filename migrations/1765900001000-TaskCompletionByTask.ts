import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 20: every completing task listener asks whether a completion of its task is already recorded (by the task
 * API, or by an earlier run of the listener), so task_completion is looked up by task.
 */
export class TaskCompletionByTask1765900001000 implements MigrationInterface {
  name = 'TaskCompletionByTask1765900001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX task_completion_task_idx ON task_completion (user_task_key)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX task_completion_task_idx`);
  }
}
