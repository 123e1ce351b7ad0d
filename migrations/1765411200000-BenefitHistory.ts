import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The amount in force for each month (issue 16): a change of benefit is paid from a later month, so the months
 * before it keep their old amount — for their own cycle and for arrears. The enrolment keeps the current amount and
 * the month it applies from; earlier amounts are kept as periods, written when a change replaces them.
 */
export class BenefitHistory1765411200000 implements MigrationInterface {
  name = 'BenefitHistory1765411200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE dibao_enrolment ADD COLUMN benefit_from_month date`);
    await q.query(`COMMENT ON COLUMN dibao_enrolment.benefit_from_month IS 'first month paid at benefit_fen (null: from from_month); earlier months in dibao_benefit_period'`);
    await q.query(`
      CREATE TABLE dibao_benefit_period (
        case_id uuid NOT NULL REFERENCES dibao_enrolment (case_id),
        from_month date NOT NULL CHECK (extract(day FROM from_month) = 1),
        benefit_fen integer NOT NULL CHECK (benefit_fen > 0),
        recorded_at timestamptz NOT NULL,
        PRIMARY KEY (case_id, from_month)
      )`);
    await q.query(`COMMENT ON TABLE dibao_benefit_period IS 'the monthly benefit of an enrolment from a month on, until the next period (the last one is also on dibao_enrolment)'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE dibao_benefit_period`);
    await q.query(`ALTER TABLE dibao_enrolment DROP COLUMN benefit_from_month`);
  }
}
