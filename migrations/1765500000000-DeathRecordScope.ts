import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Death records are scoped (issue 16): a record applies only to the cases of the region that recorded it (a county its
 * own; province civil affairs every county under it), so one county's report cannot stop another county's benefit.
 * `scope_prefix` is the recording region's prefix (src/auth/region.ts regionPrefix: 410821, 4108, 41). Records kept
 * before scoping have '' — they applied everywhere, and still do, so no past comparison changes meaning.
 */
export class DeathRecordScope1765500000000 implements MigrationInterface {
  name = 'DeathRecordScope1765500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE death_record ADD COLUMN scope_prefix text NOT NULL DEFAULT ''`);
    await q.query(`ALTER TABLE death_record ALTER COLUMN scope_prefix DROP DEFAULT`);
    await q.query(`ALTER TABLE death_record DROP CONSTRAINT death_record_id_number_source_key`);
    // Known or not is answered within the caller's own scope only: another region's record is never revealed.
    await q.query(`ALTER TABLE death_record ADD CONSTRAINT death_record_scope_key UNIQUE (scope_prefix, id_number, source)`);
    await q.query(`CREATE INDEX death_record_id_number_idx ON death_record (id_number)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX death_record_id_number_idx`);
    await q.query(`ALTER TABLE death_record DROP CONSTRAINT death_record_scope_key`);
    await q.query(`DELETE FROM death_record a USING death_record b WHERE a.id_number = b.id_number AND a.source = b.source AND a.id > b.id`);
    await q.query(`ALTER TABLE death_record ADD CONSTRAINT death_record_id_number_source_key UNIQUE (id_number, source)`);
    await q.query(`ALTER TABLE death_record DROP COLUMN scope_prefix`);
  }
}
