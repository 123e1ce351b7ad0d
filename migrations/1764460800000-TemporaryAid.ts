import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Temporary aid (issue 8, PROCEDURES.md §3): requests, their payments, and each township's reserve fund with its
 * ledger. The fund's balance can never go below zero (CHECK), and every change to it is a ledger line carrying the
 * balance after it, written under the fund row's lock.
 */
export class TemporaryAid1764460800000 implements MigrationInterface {
  name = 'TemporaryAid1764460800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SEQUENCE temporary_aid_number_seq`);
    await q.query(`
      CREATE TABLE temporary_aid_request (
        id                  uuid PRIMARY KEY,
        request_number      text NOT NULL UNIQUE,
        region_code         text NOT NULL CHECK (region_code ~ '^[0-9]{12}$'),
        township_code       text NOT NULL CHECK (township_code ~ '^[0-9]{9}$'),
        county_code         text NOT NULL CHECK (county_code ~ '^[0-9]{6}$'),
        channel             text NOT NULL CHECK (channel IN ('self', 'family', 'entrusted', 'village-committee', 'hotline', 'referral')),
        area                text NOT NULL CHECK (area IN ('urban', 'rural')),
        applicant_name      text NOT NULL,
        applicant_id_number text NOT NULL,
        household_size      integer NOT NULL CHECK (household_size BETWEEN 1 AND 30),
        description         text NOT NULL,
        unemployment        jsonb,
        status              text NOT NULL CHECK (status IN ('requested', 'replied', 'in-approval', 'paid', 'refused', 'closed')),
        aid_type            text CHECK (aid_type IN ('emergency', 'expenditure', 'unemployed')),
        severity            text CHECK (severity IN ('general', 'serious', 'major')),
        urgent              boolean,
        amount_fen          integer CHECK (amount_fen > 0),
        tier                text CHECK (tier IN ('rescue-first', 'township', 'county', 'joint-meeting', 'ineligible')),
        referral            text,
        paid_by             text CHECK (paid_by IN ('reserve-fund', 'county-direct', 'county')),
        profile_version_id  text,
        requested_at        timestamptz NOT NULL,
        replied_at          timestamptz,
        paid_at             timestamptz,
        refusal_notice      text,
        paperwork           jsonb,
        paperwork_filed_at  timestamptz,
        closed_at           timestamptz,
        process_instance_key text,
        created_by          text NOT NULL,
        idempotency_key     text UNIQUE
      )`);
    await q.query(`CREATE INDEX temporary_aid_region_idx ON temporary_aid_request (region_code text_pattern_ops, requested_at)`);
    await q.query(`
      CREATE TABLE temporary_aid_event (
        id         bigserial PRIMARY KEY,
        request_id uuid NOT NULL REFERENCES temporary_aid_request,
        kind       text NOT NULL,
        at         timestamptz NOT NULL,
        actor_id   text NOT NULL,
        details    jsonb NOT NULL DEFAULT '{}',
        job_key    text UNIQUE
      )`);
    await q.query(`CREATE INDEX temporary_aid_event_request_idx ON temporary_aid_event (request_id, at)`);
    // One line per payment: a one-off payment, or each monthly instalment (paid now, or due in its month).
    await q.query(`
      CREATE TABLE temporary_aid_payment (
        request_id  uuid NOT NULL REFERENCES temporary_aid_request,
        instalment  integer NOT NULL CHECK (instalment >= 1),
        month       date NOT NULL,
        amount_fen  integer NOT NULL CHECK (amount_fen > 0),
        paid_by     text NOT NULL CHECK (paid_by IN ('reserve-fund', 'county-direct', 'county')),
        paid_at     timestamptz,
        PRIMARY KEY (request_id, instalment)
      )`);
    await q.query(`
      CREATE TABLE reserve_fund (
        township_code text PRIMARY KEY CHECK (township_code ~ '^[0-9]{9}$'),
        county_code   text NOT NULL CHECK (county_code ~ '^[0-9]{6}$'),
        balance_fen   bigint NOT NULL DEFAULT 0 CHECK (balance_fen >= 0)
      )`);
    await q.query(`
      CREATE TABLE reserve_fund_entry (
        id                bigserial PRIMARY KEY,
        township_code     text NOT NULL REFERENCES reserve_fund,
        kind              text NOT NULL CHECK (kind IN ('advance', 'debit', 'replenishment')),
        amount_fen        bigint NOT NULL CHECK (amount_fen > 0),
        balance_after_fen bigint NOT NULL CHECK (balance_after_fen >= 0),
        request_id        uuid REFERENCES temporary_aid_request,
        note              text NOT NULL DEFAULT '',
        at                timestamptz NOT NULL,
        actor_id          text NOT NULL,
        idempotency_key   text UNIQUE,
        -- A request is debited once, however often its payment job runs.
        UNIQUE (request_id, kind)
      )`);
    await q.query(`CREATE INDEX reserve_fund_entry_township_idx ON reserve_fund_entry (township_code, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['reserve_fund_entry', 'reserve_fund', 'temporary_aid_payment', 'temporary_aid_event', 'temporary_aid_request']) {
      await q.query(`DROP TABLE ${table}`);
    }
    await q.query(`DROP SEQUENCE temporary_aid_number_seq`);
  }
}
