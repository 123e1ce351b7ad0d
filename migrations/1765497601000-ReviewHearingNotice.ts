import { MigrationInterface, QueryRunner } from 'typeorm';

/** Review hearing (issue 16): the written notice of a benefit reduced after hearing the family (法§48). */
export class ReviewHearingNotice1765497601000 implements MigrationInterface {
  name = 'ReviewHearingNotice1765497601000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE dibao_notice DROP CONSTRAINT dibao_notice_kind_check`);
    await q.query(`ALTER TABLE dibao_notice ADD CONSTRAINT dibao_notice_kind_check CHECK (kind IN ('missing-materials', 'public', 'refusal', 'closure', 'termination', 'recalculation', 'gradual-exit', 'reduction'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE dibao_notice DROP CONSTRAINT dibao_notice_kind_check`);
    await q.query(`ALTER TABLE dibao_notice ADD CONSTRAINT dibao_notice_kind_check CHECK (kind IN ('missing-materials', 'public', 'refusal', 'closure', 'termination', 'recalculation', 'gradual-exit'))`);
  }
}
