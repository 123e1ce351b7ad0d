import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { Cited, ParameterName } from '../policy/parameters';

/** A deadline's rule and source when a profile parameter sets it: `acceptanceWorkingDays = 5`, seed file or law article. */
export function citedRule(parameter: ParameterName, cited: Cited<unknown>): { rule: string; source: string } {
  return { rule: `${parameter} = ${JSON.stringify(cited.value)}`, source: cited.source.document };
}

export interface DeadlineStart {
  type: string;
  subjectType: string;
  subjectId: string;
  regionCode: string;
  /** The candidate group that must act in time. */
  responsibleGroup: string;
  /** The profile parameter or rule, e.g. `procedureWorkingDays = 30`. */
  rule: string;
  /** Where the rule comes from: seed file or law article. */
  source: string;
  startedAt: Date;
  dueAt: Date;
}

export interface DeadlineRecord extends DeadlineStart {
  id: string;
  metAt: Date | null;
  breachedAt: Date | null;
  escalatedAt: Date | null;
}

/**
 * One record per statutory deadline: opened when it starts, closed when met, marked when breached. Writes are
 * idempotent (a job may run twice): opening the same deadline again, or meeting / breaching it twice, changes nothing.
 */
@Injectable()
export class DeadlinesService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async open(start: DeadlineStart, manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager.query(
      `INSERT INTO deadline (type, subject_type, subject_id, region_code, responsible_group, rule, source, started_at, due_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (subject_type, subject_id, type, started_at) DO NOTHING`,
      [start.type, start.subjectType, start.subjectId, start.regionCode, start.responsibleGroup, start.rule, start.source, start.startedAt, start.dueAt],
    );
  }

  /** Closes the open deadlines of these types: met when closed before they fell due (a breached one stays breached). */
  async meet(subjectType: string, subjectId: string, types: string[], at: Date, manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager.query(
      `UPDATE deadline SET met_at = $4 WHERE subject_type = $1 AND subject_id = $2 AND type = ANY($3) AND met_at IS NULL AND breached_at IS NULL`,
      [subjectType, subjectId, types, at],
    );
  }

  /**
   * Escalates the unmet deadline of this type (marking it breached, unless the sweeper already did); returns whether
   * this call escalated it, so the escalation's own records are written once whoever saw the breach first.
   */
  async breach(subjectType: string, subjectId: string, type: string, at: Date, manager: EntityManager = this.dataSource.manager): Promise<boolean> {
    // TypeORM answers an UPDATE … RETURNING with [rows, count].
    const [marked] = (await manager.query(
      `UPDATE deadline SET breached_at = coalesce(breached_at, $4), escalated_at = $4
       WHERE id = (SELECT id FROM deadline WHERE subject_type = $1 AND subject_id = $2 AND type = $3 AND met_at IS NULL AND escalated_at IS NULL ORDER BY started_at DESC LIMIT 1)
       RETURNING id`,
      [subjectType, subjectId, type, at],
    )) as [unknown[], number];
    return marked.length > 0;
  }

  async forSubject(subjectType: string, subjectId: string): Promise<DeadlineRecord[]> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT * FROM deadline WHERE subject_type = $1 AND subject_id = $2 ORDER BY started_at, id`,
      [subjectType, subjectId],
    );
    return rows.map((r) => ({
      id: String(r.id),
      type: r.type as string,
      subjectType: r.subject_type as string,
      subjectId: r.subject_id as string,
      regionCode: r.region_code as string,
      responsibleGroup: r.responsible_group as string,
      rule: r.rule as string,
      source: r.source as string,
      startedAt: r.started_at as Date,
      dueAt: r.due_at as Date,
      metAt: (r.met_at as Date | null) ?? null,
      breachedAt: (r.breached_at as Date | null) ?? null,
      escalatedAt: (r.escalated_at as Date | null) ?? null,
    }));
  }
}
