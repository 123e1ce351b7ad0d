import { MigrationInterface, QueryRunner } from 'typeorm';

/** Gradual exit (issue 9): the written notice of a benefit that continues for the profile's months and then ends. */
export class GradualExit1764720000000 implements MigrationInterface {
  name = 'GradualExit1764720000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE dibao_notice DROP CONSTRAINT dibao_notice_kind_check`);
    await q.query(`ALTER TABLE dibao_notice ADD CONSTRAINT dibao_notice_kind_check CHECK (kind IN ('missing-materials', 'public', 'refusal', 'closure', 'termination', 'recalculation', 'gradual-exit'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE dibao_notice DROP CONSTRAINT dibao_notice_kind_check`);
    await q.query(`ALTER TABLE dibao_notice ADD CONSTRAINT dibao_notice_kind_check CHECK (kind IN ('missing-materials', 'public', 'refusal', 'closure', 'termination', 'recalculation'))`);
  }
}
