import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { regionPrefix } from '../auth/region';
import { Clock } from '../common/clock';
import type { CalendarBasis } from '../policy/holiday-calendar';
import { calendarNote } from './deadline-rule';
import { orderBy, type SortOrder } from '../common/paging';

export type DeadlineStatus = 'open' | 'at-risk' | 'breached' | 'met';

export interface DeadlineQuery {
  region: string;
  status?: DeadlineStatus;
  type?: string;
  /** Due in [from, to). */
  from?: Date;
  to?: Date;
  sort: DeadlineSort;
  order: SortOrder;
  limit: number;
  offset: number;
}

export const DEADLINE_SORTS = ['dueAt', 'startedAt', 'type', 'regionCode'] as const;
export type DeadlineSort = (typeof DEADLINE_SORTS)[number];
const SORT_COLUMNS: Record<DeadlineSort, string> = { dueAt: 'due_at', startedAt: 'started_at', type: 'type', regionCode: 'region_code' };

/**
 * The read side of `deadline` (owned by this module): the supervisors' views, the metrics gauge, the sweep of
 * overdue rows. "At risk" is an open deadline past the given share of its time.
 */
@Injectable()
export class DeadlineQueries {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  static statusSql(status: DeadlineStatus): string {
    return DeadlineQueries.STATUS_SQL[status];
  }

  /** SQL for a status, with $1 = now and $2 = the at-risk share (0–1). */
  private static readonly STATUS_SQL: Record<DeadlineStatus, string> = {
    open: 'met_at IS NULL AND breached_at IS NULL',
    'at-risk': 'met_at IS NULL AND breached_at IS NULL AND $1 >= started_at + (due_at - started_at) * $2',
    breached: 'breached_at IS NOT NULL',
    met: 'met_at IS NOT NULL',
  };

  /** A page of the deadlines of a region, by status, type and due range (soonest first unless sorted otherwise), with the total. */
  async search(query: DeadlineQuery & { atRiskShare: number }) {
    const now = this.clock.now();
    const params: unknown[] = [regionPrefix(query.region)];
    const param = (value: unknown) => `$${params.push(value)}`;
    const conditions = [`region_code LIKE $1 || '%'`];
    if (query.type) conditions.push(`type = ${param(query.type)}`);
    if (query.from) conditions.push(`due_at >= ${param(query.from)}`);
    if (query.to) conditions.push(`due_at < ${param(query.to)}`);
    if (query.status) conditions.push(statusCondition(query.status, () => param(now), () => param(query.atRiskShare)));
    const where = conditions.join(' AND ');
    const [{ n }]: { n: number }[] = await this.dataSource.query(`SELECT count(*)::int AS n FROM deadline WHERE ${where}`, params);
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT *, CASE WHEN breached_at IS NOT NULL THEN 'breached' WHEN met_at IS NOT NULL THEN 'met'
                      WHEN ${param(now)}::timestamptz >= started_at + (due_at - started_at) * ${param(query.atRiskShare)}::float8 THEN 'at-risk' ELSE 'open' END AS status
       FROM deadline WHERE ${where}
       ${orderBy(SORT_COLUMNS, query.sort, query.order, 'id')} LIMIT ${param(query.limit)} OFFSET ${param(query.offset)}`,
      params,
    );
    return { total: n, rows: rows.map((r) => ({
      id: String(r.id),
      type: r.type,
      status: r.status,
      subjectType: r.subject_type,
      subjectId: r.subject_id,
      regionCode: r.region_code,
      responsibleGroup: r.responsible_group,
      rule: r.rule,
      source: r.source,
      startedAt: r.started_at,
      dueAt: r.due_at,
      metAt: r.met_at,
      breachedAt: r.breached_at,
      escalatedAt: r.escalated_at,
      calendar: r.calendar,
      calendarNote: calendarNote(r.calendar_years as CalendarBasis['years'] | null),
      dueHistory: r.due_history,
    })) };
  }

  /**
   * Per region one level below the caller's (townships of a county, counties of a city): open, at risk, breached and
   * met deadlines, in all and by deadline type, and the median and 95th percentile of days to decision per procedure
   * (its `*.procedure` deadline met).
   */
  async summary(region: string, atRiskShare: number) {
    const prefix = regionPrefix(region);
    const childLength = region.length === 6 && prefix.length === 6 ? 9 : region.length === 9 ? 12 : 6;
    const params = [this.clock.now(), atRiskShare, prefix, childLength];
    const counts: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT left(region_code, $4) AS region, type,
              count(*) FILTER (WHERE ${DeadlineQueries.STATUS_SQL.open}) AS open,
              count(*) FILTER (WHERE ${DeadlineQueries.STATUS_SQL['at-risk']}) AS at_risk,
              count(*) FILTER (WHERE ${DeadlineQueries.STATUS_SQL.breached}) AS breached,
              count(*) FILTER (WHERE ${DeadlineQueries.STATUS_SQL.met}) AS met
       FROM deadline WHERE region_code LIKE $3 || '%' GROUP BY 1, 2 ORDER BY 1, 2`,
      params,
    );
    const durations: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT left(region_code, $2) AS region, split_part(type, '.', 1) AS procedure, count(*) AS decided,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM met_at - started_at)) / 86400 AS median_days,
              percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM met_at - started_at)) / 86400 AS p95_days
       FROM deadline WHERE region_code LIKE $1 || '%' AND type LIKE '%.procedure' AND met_at IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2`,
      [prefix, childLength],
    );
    const byRegion = new Map<string, { type: string; open: number; atRisk: number; breached: number; met: number }[]>();
    for (const c of counts) {
      const line = { type: c.type as string, open: Number(c.open), atRisk: Number(c.at_risk), breached: Number(c.breached), met: Number(c.met) };
      byRegion.set(c.region as string, [...(byRegion.get(c.region as string) ?? []), line]);
    }
    const sum = (lines: { [k: string]: number | string }[], key: string) => lines.reduce((total, line) => total + Number(line[key]), 0);
    return [...byRegion].map(([region, byType]) => ({
      region,
      open: sum(byType, 'open'),
      atRisk: sum(byType, 'atRisk'),
      breached: sum(byType, 'breached'),
      met: sum(byType, 'met'),
      byType,
      timeToDecision: durations
        .filter((d) => d.region === region)
        .map((d) => ({ procedure: d.procedure, decided: Number(d.decided), medianDays: round(Number(d.median_days)), p95Days: round(Number(d.p95_days)) })),
    }));
  }

  /** Open and breached deadlines per type and county (the `doudi_deadlines` gauge). */
  async gauge(): Promise<{ type: string; region: string; status: string; n: number }[]> {
    const rows: { type: string; region: string; status: string; n: string }[] = await this.dataSource.query(
      `SELECT type, left(region_code, 6) AS region,
              CASE WHEN breached_at IS NOT NULL THEN 'breached' ELSE 'open' END AS status, count(*) AS n
         FROM deadline
        WHERE breached_at IS NOT NULL OR met_at IS NULL
        GROUP BY 1, 2, 3`,
    );
    return rows.map((r) => ({ ...r, n: Number(r.n) }));
  }

  /**
   * Seconds since the oldest still-open deadline (neither met nor breached) started, on the business clock; 0 when
   * none is open. A breached one has its own series in `doudi_deadlines`: this says how long the oldest live one has run.
   */
  async oldestOpenSeconds(): Promise<number> {
    const [row]: { started_at: Date | null }[] = await this.dataSource.query(`SELECT min(started_at) AS started_at FROM deadline WHERE met_at IS NULL AND breached_at IS NULL`);
    if (!row?.started_at) return 0;
    return Math.max(0, Math.floor((this.clock.now().getTime() - new Date(row.started_at).getTime()) / 1000));
  }
}

/**
 * The STATUS_SQL condition of a status with placeholders of its own for now and the at-risk share, taken only when
 * the condition uses them (PostgreSQL refuses a parameter no statement uses: it cannot type it).
 */
function statusCondition(status: DeadlineStatus, now: () => string, share: () => string): string {
  const sql = DeadlineQueries.statusSql(status);
  return `(${sql.includes('$1') ? sql.replace('$1', `${now()}::timestamptz`).replace('$2', `${share()}::float8`) : sql})`;
}

function round(days: number): number {
  return Math.round(days * 100) / 100;
}
