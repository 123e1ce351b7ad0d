import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Temporary-aid instalments 2..n (issue 16) are paid by the monthly cycle of their county and month: a payroll line
 * of their own kind, naming the request, the instalment and the fund it comes from, instead of a case.
 */
export class InstalmentLines1765152001000 implements MigrationInterface {
  name = 'InstalmentLines1765152001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE payroll_line DROP CONSTRAINT payroll_line_kind_check`);
    await q.query(`ALTER TABLE payroll_line ADD CONSTRAINT payroll_line_kind_check CHECK (kind IN ('benefit', 'arrears', 'temporary-aid-instalment'))`);
    await q.query(`ALTER TABLE payroll_line ALTER COLUMN case_id DROP NOT NULL,
      ADD COLUMN request_id uuid, ADD COLUMN instalment smallint, ADD COLUMN fund text CHECK (fund IN ('reserve-fund', 'county-direct', 'county'))`);
    await q.query(`ALTER TABLE payroll_line ADD CONSTRAINT payroll_line_subject CHECK (CASE WHEN kind = 'temporary-aid-instalment'
      THEN case_id IS NULL AND request_id IS NOT NULL AND instalment IS NOT NULL AND fund IS NOT NULL ELSE case_id IS NOT NULL AND request_id IS NULL END)`);
    // Paid exactly once: an instalment's lines are its attempts.
    await q.query(`CREATE UNIQUE INDEX payroll_line_instalment_key ON payroll_line (request_id, instalment, attempt) WHERE request_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM payroll_line WHERE kind = 'temporary-aid-instalment'`);
    await q.query(`DROP INDEX payroll_line_instalment_key`);
    await q.query(`ALTER TABLE payroll_line DROP CONSTRAINT payroll_line_subject, DROP COLUMN request_id, DROP COLUMN instalment, DROP COLUMN fund, ALTER COLUMN case_id SET NOT NULL`);
    await q.query(`ALTER TABLE payroll_line DROP CONSTRAINT payroll_line_kind_check`);
    await q.query(`ALTER TABLE payroll_line ADD CONSTRAINT payroll_line_kind_check CHECK (kind IN ('benefit', 'arrears'))`);
  }
}
