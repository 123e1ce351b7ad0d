import { MigrationInterface, QueryRunner } from 'typeorm';

/** Approval notice (issue 18): the written notice of enrolment, with the amount, first month and remedies (法§45). */
export class ApprovalNotice1765700018000 implements MigrationInterface {
  name = 'ApprovalNotice1765700018000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE dibao_notice DROP CONSTRAINT dibao_notice_kind_check`);
    await q.query(`ALTER TABLE dibao_notice ADD CONSTRAINT dibao_notice_kind_check CHECK (kind IN ('missing-materials', 'public', 'refusal', 'closure', 'termination', 'recalculation', 'gradual-exit', 'reduction', 'approval'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE dibao_notice DROP CONSTRAINT dibao_notice_kind_check`);
    await q.query(`ALTER TABLE dibao_notice ADD CONSTRAINT dibao_notice_kind_check CHECK (kind IN ('missing-materials', 'public', 'refusal', 'closure', 'termination', 'recalculation', 'gradual-exit', 'reduction'))`);
  }
}
