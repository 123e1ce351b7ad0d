import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A county follow-up of each bank line reported failed or returned (issue 16), one per line: started with the bank's
 * results (bpmn/payment-line-follow-up.bpmn) and decided by the county. The outcome is what the payroll reads for the
 * next cycles: `payee-corrected` pays the subject (case or temporary-aid request) to the corrected payee from then
 * on, `stop` leaves the line's month (or instalment) unpaid, `account-checked` changes nothing.
 */
export class PayrollLineFollowUp1765497600000 implements MigrationInterface {
  name = 'PayrollLineFollowUp1765497600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE payroll_line_follow_up (
        line_id         bigint PRIMARY KEY REFERENCES payroll_line (id),
        cycle_id        uuid NOT NULL REFERENCES payment_cycle (id),
        case_id         uuid,
        request_id      uuid,
        instalment      integer,
        benefit_month   date NOT NULL,
        county_code     text NOT NULL,
        bank_result     text NOT NULL CHECK (bank_result IN ('failed', 'returned')),
        created_at      timestamptz NOT NULL,
        due_at          timestamptz NOT NULL,
        outcome         text CHECK (outcome IN ('account-checked', 'payee-corrected', 'stop')),
        decided_at      timestamptz,
        payee_name      text,
        payee_id_number text,
        account_note    text,
        stop_reason     text,
        CHECK (outcome IS NULL OR decided_at IS NOT NULL),
        CHECK (outcome IS DISTINCT FROM 'payee-corrected' OR (payee_name IS NOT NULL AND payee_id_number IS NOT NULL)),
        CHECK (outcome IS DISTINCT FROM 'stop' OR stop_reason IS NOT NULL)
      )`);
    await q.query(`COMMENT ON TABLE payroll_line_follow_up IS 'the county follow-up of a failed or returned payroll line and its outcome (src/payments/line-follow-ups.ts)'`);
    await q.query(`CREATE INDEX payroll_line_follow_up_cycle_idx ON payroll_line_follow_up (cycle_id)`);
    await q.query(`CREATE INDEX payroll_line_follow_up_case_idx ON payroll_line_follow_up (case_id, benefit_month) WHERE outcome IN ('payee-corrected', 'stop')`);
    await q.query(`CREATE INDEX payroll_line_follow_up_request_idx ON payroll_line_follow_up (request_id, instalment) WHERE outcome IN ('payee-corrected', 'stop')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE payroll_line_follow_up`);
  }
}
