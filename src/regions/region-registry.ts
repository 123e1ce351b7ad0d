import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Principal } from '../auth/principal';
import { isRegionCode } from '../auth/region';
import { Clock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { InvalidRequestException } from '../common/problem';
import type { RegionLevel } from './dataset';
import { Region, RegionsRepository } from './regions.repository';

/** `城关镇（410821100）`: a name a person reads, with the code a system matches on. */
export function regionLabel(region: Pick<Region, 'code' | 'name'>): string {
  return `${region.name}（${region.code}）`;
}

/** Who a family turns to in a township: 城关镇 → 城关镇人民政府, 民生街道 → 民生街道办事处. */
export function townshipOffice(name: string): string {
  return name.endsWith('街道') ? `${name}办事处` : `${name}人民政府`;
}

/** A local addition's level and parent from its code's shape: a township under its county, a village under its township. */
export function additionShape(code: string): { level: RegionLevel; parentCode: string } | undefined {
  if (/^\d{9}$/.test(code)) return { level: 'township', parentCode: code.slice(0, 6) };
  if (/^\d{12}$/.test(code)) return { level: 'village', parentCode: code.slice(0, 9) };
  return undefined;
}

/**
 * Which regions exist, with their names (src/regions/dataset.ts, plus local additions). Regions are never removed, so
 * a region once found is cached for good; a miss always asks the database, so another replica's addition is seen.
 */
@Injectable()
export class RegionRegistry {
  private readonly cache = new Map<string, Region>();

  constructor(
    private readonly regions: RegionsRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async find(code: string): Promise<Region | undefined> {
    return (await this.findAll([code])).get(code);
  }

  /** The known ones of these codes, by code. */
  async findAll(codes: string[]): Promise<Map<string, Region>> {
    const missing = [...new Set(codes)].filter((c) => !this.cache.has(c));
    if (missing.length) for (const region of await this.regions.find(missing)) this.cache.set(region.code, region);
    return new Map(codes.flatMap((c) => (this.cache.has(c) ? [[c, this.cache.get(c)!] as const] : [])));
  }

  async exists(code: string): Promise<boolean> {
    return (await this.find(code)) !== undefined;
  }

  async nameOf(code: string): Promise<string | undefined> {
    return (await this.find(code))?.name;
  }

  /**
   * The name of the county a township or village code belongs to (its first 6 digits): 410821100 → 修武县. The notices
   * name the family's remedies by it (修武县人民政府, 修武县人民法院: src/dibao/notices.ts remediesOf).
   */
  async countyOf(code: string): Promise<string | undefined> {
    return this.nameOf(code.slice(0, 6));
  }

  /** `城关镇（410821100）`, or the bare code when it is unknown (older rows may carry one). */
  async label(code: string): Promise<string> {
    const region = await this.find(code);
    return region ? regionLabel(region) : code;
  }

  /** The names a view shows beside a case's village (or township) code; null where the code is unknown. */
  async placeNames(regionCode: string): Promise<{ regionName: string | null; townshipName: string | null }> {
    const township = regionCode.slice(0, 9);
    const found = await this.findAll([regionCode, township]);
    return { regionName: found.get(regionCode)?.name ?? null, townshipName: regionCode.length >= 9 ? (found.get(township)?.name ?? null) : null };
  }

  /** Province first, down to the region itself; empty when unknown. */
  async chain(code: string): Promise<Region[]> {
    return (await this.regions.withAncestors(code)).reverse();
  }

  children(parentCode: string): Promise<Region[]> {
    return this.regions.children(parentCode);
  }

  /**
   * 400 naming each field whose well-formed code is not a known region, before the caller writes anything. Malformed
   * and absent values are left to the request's own validation.
   */
  async assertKnown(fields: Record<string, unknown>): Promise<void> {
    const given = Object.entries(fields).filter((e): e is [string, string] => isRegionCode(e[1]));
    const known = await this.findAll(given.map(([, code]) => code));
    const problems = given.filter(([, code]) => !known.has(code)).map(([field, code]) => ({ field, message: `unknown region code ${code}` }));
    if (problems.length) throw new InvalidRequestException(problems);
  }

  /** A county's own addition (a new village, or a township the dataset does not list yet), audited. */
  async add(input: { code: string; name: string }, principal: Principal): Promise<Region> {
    const shape = additionShape(input.code);
    if (!shape) throw new InvalidRequestException([{ field: 'code', message: 'code must be a 9-digit township or 12-digit village code' }]);
    if (principal.regionCode !== input.code.slice(0, 6)) {
      throw new DomainError('region-out-of-scope', `${input.code} is not under your county ${principal.regionCode}`, 403);
    }
    if (!(await this.exists(shape.parentCode))) throw new InvalidRequestException([{ field: 'code', message: `parent region ${shape.parentCode} is unknown` }]);
    const region: Region = { code: input.code, level: shape.level, parentCode: shape.parentCode, name: input.name.trim(), source: 'local', createdAt: this.clock.now(), createdBy: principal.id };
    const added = await this.dataSource.transaction(async (manager) => {
      if (!(await this.regions.insert(region, manager))) return false;
      await this.audit.record(
        { actor: { id: principal.id, roles: principal.roles }, regionCode: region.code, action: 'region.added', subjectType: 'region', subjectId: region.code, details: { level: region.level, name: region.name, parentCode: region.parentCode } },
        manager,
      );
      return true;
    });
    if (!added) throw new DomainError('region-exists', `region ${input.code} exists already`, 409);
    this.cache.set(region.code, region);
    return region;
  }
}
