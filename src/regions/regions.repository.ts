import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { RegionLevel } from './dataset';

export interface Region {
  code: string;
  level: RegionLevel;
  parentCode: string | null;
  name: string;
  /** The dataset's year ('2023') or 'local' for our own additions. */
  source: string;
  createdAt: Date;
  createdBy: string;
}

interface RegionRecord {
  code: string;
  level: RegionLevel;
  parent_code: string | null;
  name: string;
  source: string;
  created_at: Date;
  created_by: string;
}

const toRegion = (r: RegionRecord): Region => ({ code: r.code, level: r.level, parentCode: r.parent_code, name: r.name, source: r.source, createdAt: r.created_at, createdBy: r.created_by });

/** The only code that reads and writes `administrative_division`. */
@Injectable()
export class RegionsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async find(codes: string[]): Promise<Region[]> {
    const rows: RegionRecord[] = await this.dataSource.query(`SELECT * FROM administrative_division WHERE code = ANY($1::text[])`, [codes]);
    return rows.map(toRegion);
  }

  /** The region and its ancestors, the region first (one recursive query, at most five rows). */
  async withAncestors(code: string): Promise<Region[]> {
    const rows: RegionRecord[] = await this.dataSource.query(
      `WITH RECURSIVE up AS (SELECT r.*, 0 AS depth FROM administrative_division r WHERE code = $1
         UNION ALL SELECT p.*, up.depth + 1 FROM administrative_division p JOIN up ON p.code = up.parent_code)
       SELECT * FROM up ORDER BY depth`,
      [code],
    );
    return rows.map(toRegion);
  }

  async children(parentCode: string): Promise<Region[]> {
    const rows: RegionRecord[] = await this.dataSource.query(`SELECT * FROM administrative_division WHERE parent_code = $1 ORDER BY code`, [parentCode]);
    return rows.map(toRegion);
  }

  /** Inserts a local addition; false when the code is taken (nothing written). */
  async insert(region: Omit<Region, 'createdAt'> & { createdAt: Date }, manager: EntityManager): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `INSERT INTO administrative_division (code, level, parent_code, name, source, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (code) DO NOTHING RETURNING code`,
      [region.code, region.level, region.parentCode, region.name, region.source, region.createdAt, region.createdBy],
    );
    return rows.length === 1;
  }
}
