import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Death records (issue 9, PROCEDURES.md §4a): what public security, health or civil affairs report, compared every
 * month with the members of enrolled households. A match is recorded on the member (`died_on`).
 */
export class DeathRecords1764633600000 implements MigrationInterface {
  name = 'DeathRecords1764633600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE death_record (
        id          bigserial PRIMARY KEY,
        id_number   text NOT NULL,
        name        text NOT NULL,
        died_on     date NOT NULL,
        source      text NOT NULL CHECK (source IN ('public-security', 'health', 'civil-affairs')),
        imported_at timestamptz NOT NULL,
        imported_by text NOT NULL,
        UNIQUE (id_number, source)
      )`);
    await q.query(`ALTER TABLE dibao_member ADD COLUMN died_on date`);
    // The few deceased members, found without scanning every member (the payroll looks for them each month).
    await q.query(`CREATE INDEX dibao_member_deceased_idx ON dibao_member (case_id) WHERE died_on IS NOT NULL`);
    await q.query(`ALTER TABLE dibao_notice DROP CONSTRAINT dibao_notice_kind_check`);
    await q.query(`ALTER TABLE dibao_notice ADD CONSTRAINT dibao_notice_kind_check CHECK (kind IN ('missing-materials', 'public', 'refusal', 'closure', 'termination', 'recalculation'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE dibao_notice DROP CONSTRAINT dibao_notice_kind_check`);
    await q.query(`ALTER TABLE dibao_notice ADD CONSTRAINT dibao_notice_kind_check CHECK (kind IN ('missing-materials', 'public', 'refusal', 'closure', 'termination'))`);
    await q.query(`ALTER TABLE dibao_member DROP COLUMN died_on`);
    await q.query(`DROP TABLE death_record`);
  }
}
