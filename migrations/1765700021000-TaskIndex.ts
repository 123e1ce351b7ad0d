import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 19: the task list comes from an index of the engine's user tasks kept in our database (src/tasks/task-index.ts),
 * not from scanning the engine and filtering in memory (which lost every task beyond the 5,000th). One row per user
 * task with what a list needs to filter, search and order: its scope (region, township, county), candidate groups,
 * assignee, due instant and the family it is about. Open tasks are read through partial indexes by region level.
 */
export class TaskIndex1765700021000 implements MigrationInterface {
  name = 'TaskIndex1765700021000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE task_index (
        user_task_key text PRIMARY KEY,
        process_instance_key text NOT NULL,
        element_instance_key text NOT NULL,
        process_definition_id text NOT NULL,
        element_id text NOT NULL,
        name text,
        state text NOT NULL,
        candidate_groups text[] NOT NULL DEFAULT '{}',
        assignee text,
        form_key text,
        priority integer,
        region_code text NOT NULL,
        county_code text NOT NULL,
        township_code text,
        subject_type text,
        subject_id text,
        reviewed_case_id text,
        case_number text,
        applicant_name text,
        created_at timestamptz NOT NULL,
        due_at timestamptz,
        follow_up_at timestamptz,
        ended_at timestamptz,
        indexed_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX task_index_open_township_idx ON task_index (township_code, created_at, user_task_key) WHERE state = 'CREATED'`);
    await q.query(`CREATE INDEX task_index_open_county_idx ON task_index (county_code, created_at, user_task_key) WHERE state = 'CREATED'`);
    await q.query(`CREATE INDEX task_index_open_region_idx ON task_index (region_code text_pattern_ops) WHERE state = 'CREATED'`);
    await q.query(`CREATE INDEX task_index_instance_idx ON task_index (process_instance_key)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE task_index`);
  }
}
