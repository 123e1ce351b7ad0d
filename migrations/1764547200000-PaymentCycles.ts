import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The monthly payment cycle (issue 9, PROCEDURES.md §4): one cycle per county and month, its payroll lines (one per
 * beneficiary and benefit month and attempt: a failed payment is re-issued as the next attempt in a later cycle),
 * and the totals the cycle was generated with, checked against the lines before the bank file leaves.
 *
 * payroll_line has no foreign keys: its rows are written only by the payroll's INSERT … SELECT from the enrolments
 * of the locked cycle, and are a snapshot (payee name and ID number copied). Per-row FK checks doubled the time to
 * generate a million lines (bench:payroll).
 */
export class PaymentCycles1764547200000 implements MigrationInterface {
  name = 'PaymentCycles1764547200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE payment_cycle (
        id                   uuid PRIMARY KEY,
        county_code          text NOT NULL CHECK (county_code ~ '^[0-9]{6}$'),
        month                date NOT NULL CHECK (extract(day FROM month) = 1),
        profile_version_id   text NOT NULL,
        calendar             jsonb NOT NULL,
        status               text NOT NULL CHECK (status IN ('open', 'payroll-generated', 'data-entered', 'funds-transferred', 'bank-issued', 'reconciled')),
        line_count           integer,
        total_fen            bigint,
        process_instance_key text,
        created_at           timestamptz NOT NULL,
        UNIQUE (county_code, month)
      )`);
    await q.query(`
      CREATE TABLE payroll_line (
        id              bigserial PRIMARY KEY,
        cycle_id        uuid NOT NULL,
        case_id         uuid NOT NULL,
        benefit_month   date NOT NULL,
        attempt         smallint NOT NULL DEFAULT 1 CHECK (attempt >= 1),
        payee_name      text NOT NULL,
        payee_id_number text NOT NULL,
        amount_fen      integer NOT NULL CHECK (amount_fen > 0),
        status          text NOT NULL DEFAULT 'issued' CHECK (status IN ('issued', 'paid', 'failed', 'returned')),
        bank_message    text,
        settled_at      timestamptz,
        -- Paid exactly once: re-running a county-month creates nothing new.
        UNIQUE (case_id, benefit_month, attempt)
      )`);
    await q.query(`CREATE INDEX payroll_line_cycle_idx ON payroll_line (cycle_id, id)`);
    await q.query(`CREATE INDEX payroll_line_failed_idx ON payroll_line (case_id, benefit_month) WHERE status = 'failed'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE payroll_line`);
    await q.query(`DROP TABLE payment_cycle`);
  }
}
