import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { parse } from 'csv-parse/sync';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { regionPrefix } from '../auth/region';
import { isValidIdNumber, maskIdNumber } from '../common/id-number';

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
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Checks one entry; `row` numbers the problems (1 = the first data row of a file). ID numbers are never echoed. */
export function entryProblems(entry: Partial<Record<(typeof CSV_COLUMNS)[number], string>>, row: number): RowProblem[] {
  const problems: RowProblem[] = [];
  const need = (field: (typeof CSV_COLUMNS)[number], ok: boolean, message: string) => {
    if (!ok) problems.push({ row, field, message });
  };
  need('staff_name', !!entry.staff_name?.trim(), 'staff_name is required');
  need('staff_id_number', isValidIdNumber(entry.staff_id_number ?? ''), 'staff_id_number is not a valid resident ID number');
  need('post', entry.post === 'township-caseworker' || entry.post === 'village-cadre', 'post must be township-caseworker or village-cadre');
  need('region_code', /^\d{9}(\d{3})?$/.test(entry.region_code ?? ''), 'region_code must be a 9-digit township or 12-digit village code');
  need('relative_name', !!entry.relative_name?.trim(), 'relative_name is required');
  need('relative_id_number', isValidIdNumber(entry.relative_id_number ?? ''), 'relative_id_number is not a valid resident ID number');
  need('relation', RELATIONS.includes(entry.relation ?? ''), `relation must be one of ${RELATIONS.join(', ')}`);
  need('valid_from', DATE.test(entry.valid_from ?? '') && !Number.isNaN(Date.parse(entry.valid_from!)), 'valid_from must be a date YYYY-MM-DD');
  const to = entry.valid_to?.trim();
  need('valid_to', !to || (DATE.test(to) && !Number.isNaN(Date.parse(to)) && to >= (entry.valid_from ?? '')), 'valid_to must be empty or a date YYYY-MM-DD not before valid_from');
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
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Parses and checks a whole file; every bad row is reported and nothing is imported unless all rows are good. */
  parseCsv(csv: string): { entries: RegistryEntry[]; problems: RowProblem[] } {
    let records: Record<string, string>[];
    try {
      records = parse(csv, { columns: true, skip_empty_lines: true, trim: true, bom: true });
    } catch (error) {
      return { entries: [], problems: [{ row: 0, field: 'file', message: `not a CSV file: ${(error as Error).message}` }] };
    }
    const header = Object.keys(records[0] ?? {});
    const missing = CSV_COLUMNS.filter((c) => c !== 'valid_to' && !header.includes(c));
    if (records.length === 0 || missing.length) {
      return { entries: [], problems: [{ row: 0, field: 'header', message: `the header must name the columns ${CSV_COLUMNS.join(', ')}${missing.length ? `; missing: ${missing.join(', ')}` : ''}` }] };
    }
    const problems = records.flatMap((record, i) => entryProblems(record, i + 1));
    return { entries: problems.length ? [] : records.map(entryOf), problems };
  }

  /** One entry given as JSON (the CSV's columns in camelCase); problems name the JSON fields. */
  parseOne(body: Record<string, unknown>): { entry?: RegistryEntry; problems: RowProblem[] } {
    const record = Object.fromEntries(CSV_COLUMNS.map((column) => [column, typeof body[camel(column)] === 'string' ? (body[camel(column)] as string).trim() : undefined]));
    const problems = entryProblems(record, 0).map((p) => ({ ...p, field: camel(p.field), message: p.message.replace(p.field, camel(p.field)) }));
    return problems.length ? { problems } : { entry: entryOf(record), problems };
  }

  /** Inserts every entry or none; returns their ids. */
  async insert(entries: RegistryEntry[]): Promise<string[]> {
    const ids = entries.map(() => randomUUID());
    await this.dataSource.transaction(async (manager) => {
      for (const [i, e] of entries.entries()) {
        await manager.query(
          `INSERT INTO registry_relative (id, staff_name, staff_id_number, post, region_code, relative_name, relative_id_number, relation, valid_from, valid_to)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
          [ids[i], e.staffName, e.staffIdNumber, e.post, e.regionCode, e.relativeName, e.relativeIdNumber, e.relation, e.validFrom, e.validTo],
        );
      }
    });
    return ids;
  }

  /** Entries in a region, ID numbers masked. */
  async list(region: string) {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT * FROM registry_relative WHERE region_code LIKE $1 || '%' ORDER BY region_code, staff_name, relative_name`,
      [regionPrefix(region)],
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
