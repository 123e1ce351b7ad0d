import { MigrationInterface, QueryRunner } from 'typeorm';

/** County sampling batches (seed 004): the population drawn from, the seed and the selection, and each county review. */
export class SamplingBatches1764288000000 implements MigrationInterface {
  name = 'SamplingBatches1764288000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE sampling_batch (
        id                  uuid PRIMARY KEY,
        county_code         text NOT NULL CHECK (county_code ~ '^[0-9]{6}$'),
        period              text NOT NULL,
        period_start        timestamptz NOT NULL,
        period_end          timestamptz NOT NULL,
        profile_version_id  text NOT NULL,
        ratio_percent       integer NOT NULL,
        relatives_percent   integer NOT NULL,
        algorithm           text NOT NULL,
        seed                text NOT NULL,
        population          jsonb NOT NULL,
        population_digest   text NOT NULL,
        required            jsonb NOT NULL,
        selected            jsonb NOT NULL,
        drawn_at            timestamptz NOT NULL,
        UNIQUE (county_code, period)
      )`);
    await q.query(`
      CREATE TABLE sampling_review (
        batch_id    uuid NOT NULL REFERENCES sampling_batch,
        subject_id  text NOT NULL,
        outcome     text NOT NULL CHECK (outcome IN ('confirmed', 'corrected')),
        reasons     text NOT NULL CHECK (length(trim(reasons)) > 0),
        reviewed_by text NOT NULL,
        reviewed_at timestamptz NOT NULL,
        PRIMARY KEY (batch_id, subject_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sampling_review`);
    await q.query(`DROP TABLE sampling_batch`);
  }
}
