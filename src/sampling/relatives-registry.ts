import { Injectable } from '@nestjs/common';
import { isCalendarDate } from '../common/calendar-date';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { regionPrefix } from '../auth/region';
import { type CsvRecord, inBatches } from '../common/csv-intake';
import { idNumberBirthDate, isValidIdNumber, maskIdNumber } from '../common/id-number';
import { InvalidRequestException } from '../common/problem';
import { RegionRegistry } from '../regions/region-registry';

/** One registered relative of a caseworker or village cadre, valid over a period. */
export interface RegistryEntry {
  staffName: string;
  staffIdNumber: string;
  post: 'township-caseworker' | 'village-cadre';
  /** The staff member's township (9 digits) or village (12 digits). */
  regionCode: string;
  relativeName: string;
  relativeIdNumber: string;
  relation: string;
  validFrom: string;
  validTo: string | null;
}

export interface RowProblem {
  row: number;
  field: string;
  message: string;
}

export const CSV_COLUMNS = ['staff_name', 'staff_id_number', 'post', 'region_code', 'relative_name', 'relative_id_number', 'relation', 'valid_from', 'valid_to'] as const;
const RELATIONS = ['spouse', 'parent', 'child', 'sibling', 'grandparent', 'grandchild', 'parent-in-law', 'child-in-law'];

/**
 * Checks one entry; `row` numbers the problems (1 = the first data row of a file). ID numbers are never echoed; one
 * born after `today` (YYYY-MM-DD, the service clock's) is refused.
 */
export function entryProblems(entry: Partial<Record<(typeof CSV_COLUMNS)[number], string>>, row: number, today: string): RowProblem[] {
  const problems: RowProblem[] = [];
  const need = (field: (typeof CSV_COLUMNS)[number], ok: boolean, message: string) => {
    if (!ok) problems.push({ row, field, message });
  };
  need('staff_name', !!entry.staff_name?.trim(), 'staff_name is required');
  const idOk = (value: string | undefined) => isValidIdNumber(value ?? '') && idNumberBirthDate(value!) <= today;
  need('staff_id_number', idOk(entry.staff_id_number), 'staff_id_number is not a valid resident ID number (or born after today)');
  need('post', entry.post === 'township-caseworker' || entry.post === 'village-cadre', 'post must be township-caseworker or village-cadre');
  need('region_code', /^\d{9}(\d{3})?$/.test(entry.region_code ?? ''), 'region_code must be a 9-digit township or 12-digit village code');
  need('relative_name', !!entry.relative_name?.trim(), 'relative_name is required');
  need('relative_id_number', idOk(entry.relative_id_number), 'relative_id_number is not a valid resident ID number (or born after today)');
  need('relation', RELATIONS.includes(entry.relation ?? ''), `relation must be one of ${RELATIONS.join(', ')}`);
  need('valid_from', isCalendarDate(entry.valid_from), 'valid_from must be a date YYYY-MM-DD');
  const to = entry.valid_to?.trim();
  need('valid_to', !to || (isCalendarDate(to) && to >= (entry.valid_from ?? '')), 'valid_to must be empty or a date YYYY-MM-DD not before valid_from');
  return problems;
}

const camel = (column: string) => column.replace(/_(\w)/g, (_, c: string) => c.toUpperCase());

function entryOf(r: Partial<Record<(typeof CSV_COLUMNS)[number], string>>): RegistryEntry {
  return {
    staffName: r.staff_name!,
    staffIdNumber: r.staff_id_number!,
    post: r.post as RegistryEntry['post'],
    regionCode: r.region_code!,
    relativeName: r.relative_name!,
    relativeIdNumber: r.relative_id_number!,
    relation: r.relation!,
    validFrom: r.valid_from!,
    validTo: r.valid_to?.trim() || null,
  };
}

/** The registry: kept current by import and by ending entries; consulted at every acceptance. */
@Injectable()
export class RelativesRegistry {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly regions: RegionRegistry,
  ) {}

  /**
   * Imports a file's records, all or none: every bad row is reported (and a row outside `county`, the caller's), in
   * one transaction in which `then` records the import. Records are read and written in batches as they arrive.
   */
  async importCsv(records: AsyncIterable<CsvRecord>, county: string, today: string, then: (imported: number, manager: EntityManager) => Promise<unknown>): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const problems: RowProblem[] = [];
      let imported = 0;
      for await (const batch of inBatches(records)) {
        for (const { row, values } of batch) {
          problems.push(...entryProblems(values, row, today));
          if (values.region_code && !values.region_code.startsWith(county.slice(0, 6))) problems.push({ row, field: 'region_code', message: `region_code is outside the caller's county ${county}` });
        }
        // Codes of the right shape that name no region (the region registry).
        const known = await this.regions.findAll(batch.map((r) => r.values.region_code ?? ''));
        for (const { row, values } of batch) {
          const code = values.region_code ?? '';
          if (/^\d{9}(\d{3})?$/.test(code) && code.startsWith(county.slice(0, 6)) && !known.has(code)) problems.push({ row, field: 'region_code', message: `unknown region code ${code}` });
        }
        if (!problems.length) imported += (await this.insert(batch.map((r) => entryOf(r.values)), manager)).length;
      }
      if (problems.length) throw new InvalidRequestException(problems.map((p) => ({ field: `csv[row ${p.row}].${p.field}`, message: p.message })));
      await then(imported, manager);
      return imported;
    });
  }

  /** One entry given as JSON (the CSV's columns in camelCase); problems name the JSON fields. */
  parseOne(body: Record<string, unknown>, today: string): { entry?: RegistryEntry; problems: RowProblem[] } {
    const record = Object.fromEntries(CSV_COLUMNS.map((column) => [column, typeof body[camel(column)] === 'string' ? (body[camel(column)] as string).trim() : undefined]));
    const problems = entryProblems(record, 0, today).map((p) => ({ ...p, field: camel(p.field), message: p.message.replace(p.field, camel(p.field)) }));
    return problems.length ? { problems } : { entry: entryOf(record), problems };
  }

  /** Inserts the entries in one statement (in the caller's transaction if given); returns their ids. */
  async insert(entries: RegistryEntry[], manager: EntityManager = this.dataSource.manager): Promise<string[]> {
    const ids = entries.map(() => randomUUID());
    const column = <K extends keyof RegistryEntry>(key: K) => entries.map((e) => e[key]);
    await manager.query(
      `INSERT INTO registry_relative (id, staff_name, staff_id_number, post, region_code, relative_name, relative_id_number, relation, valid_from, valid_to)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::date[], $10::date[])`,
      [ids, column('staffName'), column('staffIdNumber'), column('post'), column('regionCode'), column('relativeName'), column('relativeIdNumber'), column('relation'), column('validFrom'), column('validTo')],
    );
    return ids;
  }

  /** Entries in a region, ID numbers masked. */
  async list(region: string, id?: string) {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT * FROM registry_relative WHERE region_code LIKE $1 || '%' AND ($2::uuid IS NULL OR id = $2) ORDER BY region_code, staff_name, relative_name`,
      [regionPrefix(region), id ?? null],
    );
    return rows.map((r) => ({
      id: r.id,
      staffName: r.staff_name,
      staffIdNumber: maskIdNumber(r.staff_id_number as string),
      post: r.post,
      regionCode: r.region_code,
      relativeName: r.relative_name,
      relativeIdNumber: maskIdNumber(r.relative_id_number as string),
      relation: r.relation,
      validFrom: r.valid_from,
      validTo: r.valid_to,
    }));
  }

  /** Ends an entry (kept for the record): it no longer matches after `validTo`. */
  /** One entry within the region, as the list shows it. */
  async one(id: string, region: string) {
    return (await this.list(region, id))[0];
  }

  async end(id: string, validTo: string, region: string): Promise<boolean> {
    const [rows] = (await this.dataSource.query(
      `UPDATE registry_relative SET valid_to = $2 WHERE id = $1 AND region_code LIKE $3 || '%' AND valid_from <= $2 RETURNING id`,
      [id, validTo, regionPrefix(region)],
    )) as [unknown[], number];
    return rows.length > 0;
  }

  /**
   * The registry entries of a county valid on `date` that name one of these ID numbers (a household's members):
   * each match with the entry that caused it.
   */
  async matches(idNumbers: string[], countyCode: string, date: string, manager: EntityManager = this.dataSource.manager): Promise<{ idNumber: string; registryId: string }[]> {
    if (idNumbers.length === 0) return [];
    const rows: { relative_id_number: string; id: string }[] = await manager.query(
      `SELECT relative_id_number, id FROM registry_relative
       WHERE relative_id_number = ANY($1) AND region_code LIKE $2 || '%' AND valid_from <= $3 AND (valid_to IS NULL OR valid_to >= $3) ORDER BY id`,
      [idNumbers, countyCode, date],
    );
    return rows.map((r) => ({ idNumber: r.relative_id_number, registryId: r.id }));
  }
}
