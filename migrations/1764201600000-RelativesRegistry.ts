import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The relatives registry (近亲属备案, seed 004): caseworkers and village cadres register their close relatives;
 * at acceptance every member of an application is matched by ID number, and a match makes a relatives' case.
 */
export class RelativesRegistry1764201600000 implements MigrationInterface {
  name = 'RelativesRegistry1764201600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE registry_relative (
        id               uuid PRIMARY KEY,
        staff_name       text NOT NULL,
        staff_id_number  text NOT NULL,
        post             text NOT NULL CHECK (post IN ('township-caseworker', 'village-cadre')),
        region_code      text NOT NULL CHECK (region_code ~ '^[0-9]{9}([0-9]{3})?$'),
        relative_name    text NOT NULL,
        relative_id_number text NOT NULL,
        relation         text NOT NULL,
        valid_from       date NOT NULL,
        valid_to         date,
        CHECK (valid_to IS NULL OR valid_to >= valid_from)
      )`);
    await q.query(`CREATE INDEX registry_relative_id_number_idx ON registry_relative (relative_id_number)`);
    await q.query(`CREATE INDEX registry_relative_region_idx ON registry_relative (region_code text_pattern_ops)`);
    await q.query(`
      CREATE TABLE dibao_relatives_match (
        case_id     uuid NOT NULL REFERENCES dibao_case,
        member_id   text NOT NULL,
        registry_id uuid NOT NULL REFERENCES registry_relative,
        matched_at  timestamptz NOT NULL,
        PRIMARY KEY (case_id, member_id, registry_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE dibao_relatives_match`);
    await q.query(`DROP TABLE registry_relative`);
  }
}
