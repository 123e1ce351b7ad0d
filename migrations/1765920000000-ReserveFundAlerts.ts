import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 21: a township reserve fund whose balance falls below the profile's `reserveFundLowBalanceFen` raises an
 * alert (owned by src/temporary-aid with the fund), and the county is given a task to replenish it. At most one open
 * alert per fund (the partial unique index); a credit that lifts the balance to the threshold or above closes it.
 */
export class ReserveFundAlerts1765920000000 implements MigrationInterface {
  name = 'ReserveFundAlerts1765920000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE reserve_fund_alert (
        id                  uuid PRIMARY KEY,
        township_code       text NOT NULL REFERENCES reserve_fund,
        county_code         text NOT NULL CHECK (county_code ~ '^[0-9]{6}$'),
        threshold_fen       bigint NOT NULL CHECK (threshold_fen >= 0),
        balance_fen         bigint NOT NULL CHECK (balance_fen >= 0),
        profile_version_id  text NOT NULL,
        raised_at           timestamptz NOT NULL,
        raised_by_entry_id  bigint NOT NULL REFERENCES reserve_fund_entry,
        closed_at           timestamptz,
        closed_by_entry_id  bigint REFERENCES reserve_fund_entry,
        closed_balance_fen  bigint,
        CHECK ((closed_at IS NULL) = (closed_by_entry_id IS NULL))
      )`);
    await q.query(`CREATE UNIQUE INDEX reserve_fund_alert_one_open ON reserve_fund_alert (township_code) WHERE closed_at IS NULL`);
    await q.query(`CREATE INDEX reserve_fund_alert_township_idx ON reserve_fund_alert (township_code, raised_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE reserve_fund_alert`);
  }
}
