import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * County corrections (issue 7): an enrolled case may be terminated after hearing the family, with a written notice
 * (法§48); the enrolment then records the first month no longer paid.
 */
export class CaseCorrections1764374400000 implements MigrationInterface {
  name = 'CaseCorrections1764374400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE dibao_case DROP CONSTRAINT dibao_case_status_check`);
    await q.query(`ALTER TABLE dibao_case ADD CONSTRAINT dibao_case_status_check
      CHECK (status IN ('applied', 'awaiting-materials', 'accepted', 'in-notice', 'enrolled', 'refused', 'closed', 'terminated'))`);
    await q.query(`ALTER TABLE dibao_notice DROP CONSTRAINT dibao_notice_kind_check`);
    await q.query(`ALTER TABLE dibao_notice ADD CONSTRAINT dibao_notice_kind_check CHECK (kind IN ('missing-materials', 'public', 'refusal', 'closure', 'termination'))`);
    await q.query(`ALTER TABLE dibao_enrolment ADD COLUMN until_month date, ADD CONSTRAINT dibao_enrolment_until_after_from CHECK (until_month IS NULL OR until_month > from_month)`);
    await q.query(`COMMENT ON COLUMN dibao_enrolment.until_month IS 'first month no longer paid (null while the benefit runs)'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE dibao_enrolment DROP COLUMN until_month`);
    await q.query(`ALTER TABLE dibao_notice DROP CONSTRAINT dibao_notice_kind_check`);
    await q.query(`ALTER TABLE dibao_notice ADD CONSTRAINT dibao_notice_kind_check CHECK (kind IN ('missing-materials', 'public', 'refusal', 'closure'))`);
    await q.query(`ALTER TABLE dibao_case DROP CONSTRAINT dibao_case_status_check`);
    await q.query(`ALTER TABLE dibao_case ADD CONSTRAINT dibao_case_status_check
      CHECK (status IN ('applied', 'awaiting-materials', 'accepted', 'in-notice', 'enrolled', 'refused', 'closed'))`);
  }
}
