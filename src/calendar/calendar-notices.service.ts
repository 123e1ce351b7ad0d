import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { LogRateLimiter, logRepeating } from '../common/log-rate-limit';
import { InjectDataSource } from '@nestjs/typeorm';
import { isDeepStrictEqual } from 'node:util';
import { DateTime } from 'luxon';
import { DataSource } from 'typeorm';
import type { Principal } from '../auth/principal';
import { AuditService } from '../audit/audit.service';
import { withAdvisoryLock } from '../database/advisory-lock';
import { Clock } from '../common/clock';
import { InvalidRequestException } from '../common/problem';
import { DeadlinesService, type RetimedDeadline } from '../deadlines/deadlines.service';
import { CALENDAR_ZONE, type CalendarYear, HolidayCalendar, STATUTORY_BASIS } from '../policy/holiday-calendar';
import { HolidayNoticeRepository, type StoredNotice } from './holiday-notice.repository';

/** How often a process looks for notices loaded by another process, and retries queued timer moves. */
const REFRESH_MS = 30_000;
/**
 * The advisory-lock key ("doudi-cl" in ASCII) held while a process applies the notices and re-times deadlines, or
 * publishes queued timer moves: replicas take turns, so none re-times with notices older than another's, and a
 * queued move is published by one of them.
 */
export const CALENDAR_LOCK_KEY = '7237132200329438060';

export interface CalendarYearView extends CalendarYear {
  /** Every version loaded through the API, oldest first (the newest is in force). */
  versions: { version: number; title: string; number: string | null; date: string; loadedBy: string; loadedAt: Date }[];
}

export interface NoticeLoaded {
  year: number;
  version: number;
  basis: string;
  /** Open deadlines computed again on the new calendar. */
  retimed: { id: string; type: string; subjectType: string; subjectId: string; from: Date; to: Date }[];
  /** False when the body equals the version in force: nothing stored, nothing re-timed. */
  stored: boolean;
}

/**
 * The calendar's run-time source: official notices loaded through the API, kept in `holiday_notice` and applied to
 * the shared `HolidayCalendar` of every process (read at start-up and whenever another process loaded one). A load
 * re-times every open deadline that passed through that year on another calendar, and moves the engine timers.
 */
@Injectable()
export class CalendarNotices implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(CalendarNotices.name);
  // While the database is away this fails every round: one line per cause per interval.
  private readonly repeats = new LogRateLimiter();
  private revision = '';
  private timer?: NodeJS.Timeout;
  private warnedOn = '';
  private notices: StoredNotice[] = [];
  /** The calendar work of this process, one piece at a time (each holds the lock's connection while it runs). */
  private exclusiveChain: Promise<unknown> = Promise.resolve();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repository: HolidayNoticeRepository,
    @Inject(HolidayCalendar) private readonly calendar: HolidayCalendar,
    private readonly deadlines: DeadlinesService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.refresh();
    this.warnOncePerDay();
    this.timer = setInterval(() => void this.tick().catch((error: unknown) => logRepeating(this.repeats, this.logger, 'error', 'calendar refresh failed', error)), REFRESH_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Reads the notices when they changed, re-times what they affect, publishes queued timer moves, warns once a day. */
  async tick(): Promise<void> {
    await this.refresh();
    await this.publishTimerMoves();
    this.warnOncePerDay();
  }

  /** Loads a year's notice: 400 naming the field and nothing stored when it is invalid; audited; deadlines re-timed. */
  async load(year: number, body: unknown, principal: Principal): Promise<NoticeLoaded> {
    const content = typeof body === 'object' && body !== null && !Array.isArray(body) && !('year' in body) ? { year, ...body } : body;
    const checked = HolidayCalendar.check(content, year);
    if ('problems' in checked) throw new InvalidRequestException(checked.problems.map((p) => ({ field: p.field || 'body', message: p.message })));
    const notice = checked.notice;
    await this.refresh();
    const inForce = this.newest(year);
    if (inForce && isDeepStrictEqual(withoutVersion(inForce), notice)) {
      return { year, version: inForce.version, basis: this.calendar.basis(year), retimed: [], stored: false };
    }
    const now = this.clock.now();
    const version = await this.repository.transaction(async (manager) => {
      const stored = await this.repository.insert(notice, principal.id, now, manager);
      await this.audit.record(
        {
          actor: { id: principal.id, roles: principal.roles },
          regionCode: principal.regionCode,
          action: 'calendar.notice-loaded',
          subjectType: 'holiday-notice',
          subjectId: `${year}-v${stored}`,
          details: { year, version: stored, title: notice.title, number: notice.number, date: notice.date, holidays: notice.holidays.length, workdays: notice.workdays.length, replaces: inForce ? `${year}-v${inForce.version}` : this.calendar.basis(year) },
        },
        manager,
      );
      return stored;
    });
    const retimed = await this.refresh(true);
    await this.publishTimerMoves();
    return { year, version, basis: this.calendar.basis(year), retimed: retimed.map(({ calendar: _, ...d }) => d), stored: true };
  }

  /** Every year with an official notice, and this year and the next (statutory until their notice arrives). */
  async list(): Promise<CalendarYearView[]> {
    await this.refresh();
    const thisYear = DateTime.fromJSDate(this.clock.now(), { zone: CALENDAR_ZONE }).year;
    const years = [...new Set([...this.calendar.years(), thisYear, thisYear + 1])].sort((a, b) => a - b);
    return years.map((year) => ({
      ...this.calendar.year(year),
      versions: this.notices.filter((n) => n.year === year).map((n) => ({ version: n.version, title: n.title, number: n.number, date: n.date, loadedBy: n.loadedBy, loadedAt: n.loadedAt })),
    }));
  }

  /** The years a deadline counted from now may reach that have no official notice: this year and next month's. */
  missingNotices(): number[] {
    const now = DateTime.fromJSDate(this.clock.now(), { zone: CALENDAR_ZONE });
    return [...new Set([now.year, now.plus({ months: 1 }).year])].filter((year) => this.calendar.basis(year) === STATUTORY_BASIS);
  }

  /** What `/health` shows: never a failure, a warning while a year stands on the statutory calendar. */
  health(): Record<string, unknown> {
    const missing = this.missingNotices();
    return {
      status: 'up',
      years: this.calendar.years(),
      ...(missing.length ? { warning: missingText(missing) } : {}),
    };
  }

  /**
   * Reads the notices again when another load changed them (or `force`), applies them to the calendar and re-times
   * the open deadlines of every year that has a notice (idempotent: those already on it are left alone).
   */
  private async refresh(force = false): Promise<RetimedDeadline[]> {
    if (!force && (await this.repository.revision()) === this.revision) return [];
    // Under the lock, the notices are read after every earlier re-timing of any replica committed: a replica that
    // read them before another's load can no longer re-time deadlines back to the older calendar.
    return this.exclusive(async () => {
      const revision = await this.repository.revision();
      if (!force && revision === this.revision) return [];
      this.notices = await this.repository.all();
      this.calendar.useLoaded(this.notices);
      this.revision = revision;
      const years = [...new Set(this.notices.map((n) => n.year))];
      const reason = `holiday notices in force: ${years.map((y) => this.calendar.basis(y)).join(', ') || 'none'}`;
      return this.deadlines.retime(years, reason, this.clock.now());
    });
  }

  /** Publishes the queued timer moves; under the lock, so two replicas never publish the same move. */
  private publishTimerMoves(): Promise<number> {
    return this.exclusive(() => this.deadlines.publishTimerMoves());
  }

  /**
   * Runs `work` alone: one at a time in this process (so it holds at most one connection for the lock), and across
   * processes under the session advisory lock `CALENDAR_LOCK_KEY`, taken and released on one connection.
   */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.exclusiveChain.then(() => withAdvisoryLock(this.dataSource, CALENDAR_LOCK_KEY, work));
    this.exclusiveChain = run.catch(() => undefined);
    return run;
  }

  private newest(year: number): StoredNotice | undefined {
    return this.notices.filter((n) => n.year === year).at(-1);
  }

  private warnOncePerDay(): void {
    const today = DateTime.fromJSDate(this.clock.now(), { zone: CALENDAR_ZONE }).toISODate()!;
    const missing = this.missingNotices();
    if (!missing.length || this.warnedOn === today) return;
    this.warnedOn = today;
    this.logger.warn({ years: missing }, missingText(missing));
  }
}

function missingText(years: number[]): string {
  return (
    `no official holiday notice loaded for ${years.join(', ')}: deadlines reaching ${years.join(', ')} stand on the statutory calendar and are provisional; ` +
    `load the State Council notice with PUT /api/v1/calendar/years/{year}（${years.join('、')}年放假安排尚未载入，相关期限暂按法定节假日计算）`
  );
}

function withoutVersion(notice: StoredNotice) {
  const { version: _, loadedBy: __, loadedAt: ___, ...rest } = notice;
  return rest;
}
