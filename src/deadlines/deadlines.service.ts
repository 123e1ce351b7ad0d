import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { HolidayCalendar, type CalendarBasis } from '../policy/holiday-calendar';
import type { Cited, ParameterName, WorkingDaysParameter } from '../policy/parameters';
import { CAMUNDA_CLIENT, type CamundaClient } from '../workflow/camunda-client';
import { publishOnce } from '../workflow/engine-calls';
import { calendarNote, computeDue, type DeadlineComputation, type DeadlineTimer, timerDues } from './deadline-rule';
import { DEADLINE_MOVED_MESSAGE, deadlineMovedCorrelationKey } from './deadline-moved';

/** A deadline's rule and source when a profile parameter sets it: `acceptanceWorkingDays = 5`, seed file or law article. */
export function citedRule(parameter: ParameterName, cited: Cited<unknown>): { rule: string; source: string } {
  return { rule: `${parameter} = ${JSON.stringify(cited.value)}`, source: cited.source.document };
}

/** A deadline of a profile's working-days parameter: its rule, source and computation; `timers` wait on it in the model. */
export function workingDaysRule(parameter: WorkingDaysParameter, cited: Cited<number>, timers?: DeadlineTimer[]): Pick<DeadlineStart, 'rule' | 'source' | 'computation'> {
  return { ...citedRule(parameter, cited), computation: { kind: 'working-days', days: cited.value, ...(timers ? { timers } : {}) } };
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
  /** How the due instant follows from the start; the row keeps it so it can be re-timed when the calendar changes. */
  computation: DeadlineComputation;
}

export interface DueChange {
  dueAt: Date;
  calendar: string | null;
  replacedAt: Date;
  reason: string;
}

export interface DeadlineRecord extends DeadlineStart {
  id: string;
  dueAt: Date;
  metAt: Date | null;
  breachedAt: Date | null;
  escalatedAt: Date | null;
  /** `official:<version>`, `statutory`, or null for elapsed-time rules. */
  calendar: string | null;
  calendarYears: CalendarBasis['years'] | null;
  /** E.g. "provisional — statutory calendar, the 2027 notice is not loaded". */
  calendarNote: string | null;
  /** Earlier due instants, oldest first. */
  dueHistory: DueChange[];
}

/** A deadline re-timed because the calendar under it changed. */
export interface RetimedDeadline {
  id: string;
  type: string;
  subjectType: string;
  subjectId: string;
  from: Date;
  to: Date;
  calendar: string | null;
}

/** Told of every re-timed deadline inside the re-timing transaction (e.g. a payment cycle keeps its calendar in step). */
export type RetimeListener = (deadline: RetimedDeadline, manager: EntityManager) => Promise<void>;

/**
 * One record per statutory deadline: opened when it starts, closed when met, marked when breached. Writes are
 * idempotent (a job may run twice): opening the same deadline again, or meeting / breaching it twice, changes nothing.
 */
@Injectable()
export class DeadlinesService {
  private readonly logger = new Logger(DeadlinesService.name);
  private readonly listeners: RetimeListener[] = [];

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(HolidayCalendar) private readonly calendar: HolidayCalendar,
    @Inject(CAMUNDA_CLIENT) private readonly camunda: CamundaClient,
  ) {}

  /** The due instant of a computation started at `startedAt`, on today's calendar. */
  due(computation: DeadlineComputation, startedAt: Date): Date {
    return computeDue(this.calendar, computation, startedAt).dueAt;
  }

  /** Opens the deadline (once: a repeat changes nothing) with the calendar it stands on; returns its due instant. */
  async open(start: DeadlineStart, manager: EntityManager = this.dataSource.manager): Promise<Date> {
    const { dueAt, basis } = computeDue(this.calendar, start.computation, start.startedAt);
    await manager.query(
      `INSERT INTO deadline (type, subject_type, subject_id, region_code, responsible_group, rule, source, started_at, due_at, computation, calendar, calendar_years)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (subject_type, subject_id, type, started_at) DO NOTHING`,
      [start.type, start.subjectType, start.subjectId, start.regionCode, start.responsibleGroup, start.rule, start.source, start.startedAt, dueAt,
        JSON.stringify(start.computation), basis?.calendar ?? null, basis ? JSON.stringify(basis.years) : null],
    );
    return dueAt;
  }

  /**
   * Extends the open deadline of this type to a longer rule counted from the same start (the one extension of the
   * dibao procedure): the row takes the new rule and due instant, the old one goes to its history. Returns the new
   * due instant, or undefined when no such deadline is open.
   */
  async extend(subjectType: string, subjectId: string, type: string, rule: Pick<DeadlineStart, 'rule' | 'source' | 'computation'>, reason: string, at: Date, manager: EntityManager): Promise<Date | undefined> {
    const [row] = await manager.query(
      `SELECT id, started_at, due_at, calendar FROM deadline WHERE subject_type = $1 AND subject_id = $2 AND type = $3 AND met_at IS NULL AND breached_at IS NULL
       ORDER BY started_at DESC LIMIT 1 FOR UPDATE`,
      [subjectType, subjectId, type],
    );
    if (!row) return undefined;
    const { dueAt, basis } = computeDue(this.calendar, rule.computation, row.started_at as Date);
    const history: DueChange[] = [{ dueAt: row.due_at as Date, calendar: (row.calendar as string | null) ?? null, replacedAt: at, reason }];
    await manager.query(
      `UPDATE deadline SET rule = $2, source = $3, computation = $4, due_at = $5, calendar = $6, calendar_years = $7, due_history = due_history || $8::jsonb WHERE id = $1`,
      [row.id, rule.rule, rule.source, JSON.stringify(rule.computation), dueAt, basis?.calendar ?? null, basis ? JSON.stringify(basis.years) : null, JSON.stringify(history)],
    );
    return dueAt;
  }

  onRetime(listener: RetimeListener): void {
    this.listeners.push(listener);
  }

  /**
   * Re-times every open deadline that passed through one of `years` under a calendar other than today's for that
   * year: computed again from its start with its rule, the old due instant kept in its history, and each of its
   * engine timers queued to move (`deadline_timer_move`, published after the commit by `publishTimerMoves`).
   * Idempotent: a deadline already on today's calendars is left alone.
   */
  async retime(years: number[], reason: string, at: Date): Promise<RetimedDeadline[]> {
    if (!years.length) return [];
    const retimed = await this.dataSource.transaction(async (manager) => {
      const rows: Record<string, unknown>[] = await manager.query(
        `SELECT id, type, subject_type, subject_id, started_at, due_at, computation, calendar, calendar_years FROM deadline
         WHERE met_at IS NULL AND breached_at IS NULL AND computation IS NOT NULL
           AND calendar_years @> ANY($1::jsonb[]) ORDER BY id FOR UPDATE`,
        [years.map((year) => JSON.stringify([{ year }]))],
      );
      const moved: RetimedDeadline[] = [];
      for (const row of rows) {
        const before = row.calendar_years as CalendarBasis['years'];
        if (before.every((y) => this.calendar.basis(y.year) === y.basis)) continue;
        const computation = row.computation as DeadlineComputation;
        const startedAt = row.started_at as Date;
        const { dueAt, basis } = computeDue(this.calendar, computation, startedAt);
        const from = row.due_at as Date;
        const changed = dueAt.getTime() !== from.getTime();
        const history: DueChange[] = changed ? [{ dueAt: from, calendar: row.calendar as string | null, replacedAt: at, reason }] : [];
        await manager.query(
          `UPDATE deadline SET due_at = $2, calendar = $3, calendar_years = $4, due_history = due_history || $5::jsonb WHERE id = $1`,
          [row.id, dueAt, basis?.calendar ?? null, basis ? JSON.stringify(basis.years) : null, JSON.stringify(history)],
        );
        if (!changed) continue;
        for (const timer of timerDues(this.calendar, computation, startedAt)) {
          await manager.query(
            `INSERT INTO deadline_timer_move (deadline_id, subject_id, variable, due_at, created_at) VALUES ($1, $2, $3, $4, $5)`,
            [row.id, row.subject_id, timer.variable, timer.dueAt, at],
          );
        }
        const deadline: RetimedDeadline = { id: String(row.id), type: row.type as string, subjectType: row.subject_type as string, subjectId: row.subject_id as string, from, to: dueAt, calendar: basis?.calendar ?? null };
        for (const listener of this.listeners) await listener(deadline, manager);
        moved.push(deadline);
      }
      return moved;
    });
    if (retimed.length) this.logger.log({ years, deadlines: retimed.length }, `${retimed.length} open deadline(s) re-timed: ${reason}`);
    return retimed;
  }

  /**
   * Publishes the queued timer moves (the outbox of `retime`), oldest first; one that fails stays queued for the
   * next call. The message has no time to live: a process no longer waiting on that timer has nothing to move.
   */
  async publishTimerMoves(): Promise<number> {
    const pending: { id: string; subject_id: string; variable: string; due_at: Date }[] = await this.dataSource.query(
      `SELECT id, subject_id, variable, due_at FROM deadline_timer_move WHERE published_at IS NULL ORDER BY id LIMIT 500`,
    );
    let published = 0;
    for (const move of pending) {
      try {
        await publishOnce(this.camunda, {
          name: DEADLINE_MOVED_MESSAGE,
          correlationKey: deadlineMovedCorrelationKey(move.subject_id, move.variable),
          messageId: `deadline-moved:${move.id}`,
          timeToLiveMs: 0,
          variables: { [move.variable]: move.due_at.toISOString() },
        });
      } catch (error) {
        this.logger.warn({ err: error, move: move.id }, 'a deadline timer move could not be published yet; it stays queued');
        break;
      }
      await this.dataSource.query(`UPDATE deadline_timer_move SET published_at = now() WHERE id = $1`, [move.id]);
      published++;
    }
    return published;
  }

  /** Whether the subject has a deadline of this type (open or closed). */
  async exists(subjectType: string, subjectId: string, type: string, manager: EntityManager = this.dataSource.manager): Promise<boolean> {
    const rows: unknown[] = await manager.query(`SELECT 1 FROM deadline WHERE subject_type = $1 AND subject_id = $2 AND type = $3`, [subjectType, subjectId, type]);
    return rows.length > 0;
  }

  /** Marks every open deadline past its due instant breached at that instant (an UPDATE of open rows: once). */
  async sweepOverdue(now: Date): Promise<{ id: string; type: string; subjectId: string }[]> {
    const [rows] = (await this.dataSource.query(
      `UPDATE deadline SET breached_at = due_at WHERE met_at IS NULL AND breached_at IS NULL AND due_at < $1 RETURNING id::text, type, subject_id`,
      [now],
    )) as [{ id: string; type: string; subject_id: string }[], number];
    return rows.map((r) => ({ id: r.id, type: r.type, subjectId: r.subject_id }));
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
      computation: r.computation as DeadlineComputation,
      dueAt: r.due_at as Date,
      metAt: (r.met_at as Date | null) ?? null,
      breachedAt: (r.breached_at as Date | null) ?? null,
      escalatedAt: (r.escalated_at as Date | null) ?? null,
      calendar: (r.calendar as string | null) ?? null,
      calendarYears: (r.calendar_years as CalendarBasis['years'] | null) ?? null,
      calendarNote: calendarNote((r.calendar_years as CalendarBasis['years'] | null) ?? null),
      dueHistory: ((r.due_history as DueChange[] | null) ?? []).map((h) => ({ ...h, dueAt: new Date(h.dueAt), replacedAt: new Date(h.replacedAt) })),
    }));
  }
}
