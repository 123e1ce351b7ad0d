import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A sampling pool entry carries the region of the decided case, so the sampling module (which knows no case table)
 * can scope and file its reviews: dependencies run one way, dibao → sampling.
 */
export class SamplingPoolRegion1765065600000 implements MigrationInterface {
  name = 'SamplingPoolRegion1765065600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sampling_pool_entry ADD COLUMN region_code text`);
    await q.query(`UPDATE sampling_pool_entry p SET region_code = c.region_code FROM dibao_case c WHERE p.subject_type = 'dibao-case' AND c.id::text = p.subject_id`);
    await q.query(`UPDATE sampling_pool_entry SET region_code = township_code WHERE region_code IS NULL`);
    await q.query(`ALTER TABLE sampling_pool_entry ALTER COLUMN region_code SET NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sampling_pool_entry DROP COLUMN region_code`);
  }
}
