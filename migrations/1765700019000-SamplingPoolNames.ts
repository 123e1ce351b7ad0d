import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The sampling pool names what was decided for whom (issue 18): the case number and applicant's name, so a county
 * review task reads "DB410821-2026-000001 王建国（东关村民委员会，城关镇）" instead of a case id. Older entries keep NULL.
 */
export class SamplingPoolNames1765700019000 implements MigrationInterface {
  name = 'SamplingPoolNames1765700019000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sampling_pool_entry ADD COLUMN case_number text, ADD COLUMN applicant_name text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sampling_pool_entry DROP COLUMN case_number, DROP COLUMN applicant_name`);
  }
}
