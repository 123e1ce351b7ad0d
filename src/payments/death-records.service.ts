import { Injectable } from '@nestjs/common';
import { isCalendarDate } from '../common/calendar-date';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { regionPrefix } from '../auth/region';
import { type CsvRecord, inBatches } from '../common/csv-intake';
import { idNumberBirthDate, isValidIdNumber } from '../common/id-number';
import { type FieldProblem, InvalidRequestException } from '../common/problem';

export const DEATH_RECORD_COLUMNS = ['id_number', 'name', 'died_on', 'source'] as const;
const SOURCES = ['public-security', 'health', 'civil-affairs'];

type Row = Partial<Record<(typeof DEATH_RECORD_COLUMNS)[number], string>>;

/** Problems of one record; `field` names the failing column. ID numbers are never echoed. */
function recordProblems(r: Row, today: string): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  if (!isValidIdNumber(r.id_number ?? '') || idNumberBirthDate(r.id_number!) > today) problems.push({ field: 'id_number', message: 'id_number is not a valid resident ID number (or born after today)' });
  if (!r.name?.trim()) problems.push({ field: 'name', message: 'name is required' });
  if (!isCalendarDate(r.died_on) || r.died_on > today) problems.push({ field: 'died_on', message: 'died_on must be a date YYYY-MM-DD, not in the future' });
  if (!SOURCES.includes(r.source ?? '')) problems.push({ field: 'source', message: `source must be one of ${SOURCES.join(', ')}` });
  return problems;
}

/**
 * Death records from public security, health and civil affairs (seed 004: 每月与公安、卫健部门比对). Imported all or
 * nothing with a per-row report. A record belongs to the region that recorded it and applies only to the cases under
 * it: a county's to its own beneficiaries, province civil affairs' to every county of the province. A record already
 * known in the caller's own region (same ID number and source) is kept as it was; another region's records are never
 * counted, so the answer tells nobody whether someone else holds a record of that person.
 */
@Injectable()
export class DeathRecordsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Of these ID numbers, the death records: the date of death and the region each applies in (its prefix). */
  async deathsAmong(idNumbers: string[], manager: EntityManager): Promise<{ idNumber: string; diedOn: string; scopePrefix: string }[]> {
    if (idNumbers.length === 0) return [];
    const rows: { id_number: string; died_on: string; scope_prefix: string }[] = await manager.query(
      `SELECT id_number, to_char(died_on, 'YYYY-MM-DD') AS died_on, scope_prefix FROM death_record WHERE id_number = ANY($1) ORDER BY id_number, died_on`,
      [idNumbers],
    );
    return rows.map((r) => ({ idNumber: r.id_number, diedOn: r.died_on, scopePrefix: r.scope_prefix }));
  }

  /**
   * A CSV file's records (`DEATH_RECORD_COLUMNS`), read in batches as they arrive, in one transaction: every bad row
   * named and nothing imported unless all rows are good; `then` records the import in the same transaction.
   */
  async importCsv(records: AsyncIterable<CsvRecord>, recorder: Recorder, at: Date, today: string, then: (result: ImportResult, manager: EntityManager) => Promise<unknown>): Promise<ImportResult> {
    return this.dataSource.transaction(async (manager) => {
      const problems: FieldProblem[] = [];
      const result = { imported: 0, known: 0 };
      for await (const batch of inBatches(records)) {
        for (const { row, values } of batch) problems.push(...recordProblems(values, today).map((p) => ({ field: `csv[row ${row}].${p.field}`, message: p.message })));
        if (problems.length) continue;
        const inserted = await this.insert(batch.map((r) => r.values as Required<Row>), recorder, at, manager);
        result.imported += inserted.imported;
        result.known += inserted.known;
      }
      if (problems.length) throw new InvalidRequestException(problems);
      await then(result, manager);
      return result;
    });
  }

  /** One record as JSON (`idNumber`, `name`, `diedOn`, `source`). */
  async create(body: { idNumber: string; name: string; diedOn: string; source: string }, recorder: Recorder, at: Date, today: string) {
    const row = { id_number: body.idNumber, name: body.name, died_on: body.diedOn, source: body.source };
    const camel: Record<string, string> = { id_number: 'idNumber', name: 'name', died_on: 'diedOn', source: 'source' };
    const problems = recordProblems(row, today);
    if (problems.length) throw new InvalidRequestException(problems.map((p) => ({ field: camel[p.field]!, message: p.message.replace(p.field, camel[p.field]!) })));
    return this.insert([row], recorder, at, this.dataSource.manager);
  }

  private async insert(rows: Required<Row>[], recorder: Recorder, at: Date, manager: EntityManager): Promise<ImportResult> {
    const inserted: unknown[] = await manager.query(
      `INSERT INTO death_record (id_number, name, died_on, source, imported_at, imported_by, scope_prefix)
       SELECT * FROM unnest($1::text[], $2::text[], $3::date[], $4::text[]) AS r, LATERAL (SELECT $5::timestamptz, $6::text, $7::text) x
       ON CONFLICT (scope_prefix, id_number, source) DO NOTHING RETURNING id`,
      [rows.map((r) => r.id_number), rows.map((r) => r.name.trim()), rows.map((r) => r.died_on), rows.map((r) => r.source), at, recorder.actorId, regionPrefix(recorder.regionCode)],
    );
    return { imported: inserted.length, known: rows.length - inserted.length };
  }
}

export type ImportResult = {
  imported: number;
  /** Already recorded by the caller's region (same ID number and source), kept as they were. */
  known: number;
};

/** Who records death records: the actor, and the region whose cases they apply to. */
export interface Recorder {
  actorId: string;
  regionCode: string;
}
