import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Arrears (issue 16, 补发): a cycle also pays the earlier months of an enrolment that have no paid or pending line.
 * Each line says its kind (the cycle's own month, or arrears of an earlier one); the cycle keeps the arrears' share
 * of its totals beside them.
 */
export class PayrollArrears1765152000000 implements MigrationInterface {
  name = 'PayrollArrears1765152000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE payroll_line ADD COLUMN kind text NOT NULL DEFAULT 'benefit' CHECK (kind IN ('benefit', 'arrears'))`);
    await q.query(`ALTER TABLE payment_cycle ADD COLUMN arrears_line_count integer, ADD COLUMN arrears_total_fen bigint`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE payment_cycle DROP COLUMN arrears_line_count, DROP COLUMN arrears_total_fen`);
    await q.query(`ALTER TABLE payroll_line DROP COLUMN kind`);
  }
}
