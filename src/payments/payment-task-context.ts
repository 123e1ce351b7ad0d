import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { isUUID } from 'class-validator';
import { DataSource } from 'typeorm';
import { SUBJECT as DIBAO_SUBJECT } from '../dibao/dibao.service';
import { TEMPORARY_AID_SUBJECT } from '../temporary-aid/temporary-aid-process';

/** What a payment-cycle task is about: the county's month, its payroll so far. */
export interface CycleLine {
  countyCode: string;
  /** yyyy-MM */
  month: string;
  status: string;
  lineCount: number | null;
  totalFen: number | null;
}

/**
 * The payments side of the task context (src/tasks/task-context.ts): the cycles of payment-step tasks, and the family
 * case behind a failed line's follow-up. Reads only.
 */
@Injectable()
export class PaymentTaskContext {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async cycles(cycleIds: string[]): Promise<Map<string, CycleLine>> {
    const ids = [...new Set(cycleIds)].filter((id) => isUUID(id));
    if (ids.length === 0) return new Map();
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT id::text AS id, county_code, to_char(month, 'YYYY-MM') AS month, status, line_count, total_fen FROM payment_cycle WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    return new Map(
      rows.map((r) => [
        r.id as string,
        { countyCode: r.county_code as string, month: r.month as string, status: r.status as string, lineCount: r.line_count === null ? null : Number(r.line_count), totalFen: r.total_fen === null ? null : Number(r.total_fen) },
      ]),
    );
  }

  /** The case (dibao) or request (temporary-aid instalment) each followed-up payroll line pays. */
  async lineSubjects(lineIds: string[]): Promise<Map<string, { subjectType: string; subjectId: string }>> {
    const ids = [...new Set(lineIds)].filter((id) => /^\d{1,18}$/.test(id));
    if (ids.length === 0) return new Map();
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT line_id::text AS line_id, case_id::text AS case_id, request_id::text AS request_id FROM payroll_line_follow_up WHERE line_id = ANY($1::bigint[])`,
      [ids],
    );
    return new Map(
      rows.flatMap((r) => {
        if (r.case_id) return [[r.line_id as string, { subjectType: DIBAO_SUBJECT, subjectId: r.case_id as string }]];
        if (r.request_id) return [[r.line_id as string, { subjectType: TEMPORARY_AID_SUBJECT, subjectId: r.request_id as string }]];
        return [];
      }),
    );
  }
}
