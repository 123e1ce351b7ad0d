import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { parse } from 'yaml';
import type { FieldProblem } from '../common/problem';
import { STATUTORY_FROM_YEAR, STATUTORY_RULE, STATUTORY_TO_YEAR, statutoryHolidays } from './statutory-calendar';

/**
 * The PRC holiday calendar and working-day arithmetic every statutory deadline is counted with.
 *
 * Each year comes from the first of three sources that has it:
 * 1. an official notice loaded at run time (`PUT /api/v1/calendar/years/{year}`, table `holiday_notice`, versioned);
 * 2. the notices shipped in `holidays/<year>.yaml`, copied from the State Council's annual notice
 *    (国务院办公厅关于<year>年部分节假日安排的通知): holiday periods (放假) and make-up working days on weekends (调休上班);
 * 3. the statutory calendar (`statutory-calendar.ts`): the statutory days of 《全国年节及纪念日放假办法》 and weekends,
 *    no make-up days. It keeps every county working before the year's notice exists; deadlines counted on it are
 *    provisional and are re-timed when the notice is loaded.
 *
 * Rules:
 * - Dates are calendar dates in Asia/Shanghai written `YYYY-MM-DD`; instants are UTC `Date`s.
 * - A day is a working day when it is a make-up working day, or it is Monday to Friday and not a holiday.
 * - A date before the statutory calendar's first year without a notice is an error (`OutsideCalendarError`), never a guess.
 * - `basis(year)` says which calendar a year stands on: `official:<version>` or `statutory`; every deadline records it.
 */

export const HOLIDAYS_DIR = join(__dirname, 'holidays');
/** The zone every calendar date and deadline is counted in. */
export const CALENDAR_ZONE = 'Asia/Shanghai';

/** A date outside the years covered, a malformed argument, or an answer that does not exist. */
export class CalendarError extends Error {
  override name = 'CalendarError';
}

/** A date in a year the calendar has no data for (reached directly or by a walk); `years` are the years covered. */
export class OutsideCalendarError extends CalendarError {
  override name = 'OutsideCalendarError';
  constructor(
    message: string,
    readonly date: string,
    readonly years: number[],
  ) {
    super(message);
  }
}

/** The holiday data files are missing or invalid; the message lists every problem, each naming its file. */
export class CalendarDataError extends CalendarError {
  override name = 'CalendarDataError';
}

export interface HolidayPeriod {
  /** E.g. `春节 Spring Festival`. */
  name: string;
  /** First day off, `YYYY-MM-DD`. */
  from: string;
  /** Last day off, inclusive. */
  to: string;
}

/** A weekend day worked to make up for a holiday (调休上班). */
export interface MakeUpWorkday {
  date: string;
  /** The holiday it makes up for. */
  for: string;
}

/** An official notice for one year: the shape of `holidays/<year>.yaml` and of the calendar API's body. */
export interface HolidayNotice {
  year: number;
  /** E.g. 国务院办公厅关于2026年部分节假日安排的通知. */
  title: string;
  /** E.g. 国办发明电〔2024〕12号; null when not known. */
  number: string | null;
  /** The notice's date, `YYYY-MM-DD`. */
  date: string;
  holidays: HolidayPeriod[];
  workdays: MakeUpWorkday[];
}

/** Where a year's calendar comes from, first match wins. */
export type CalendarSource = 'loaded' | 'shipped' | 'statutory';

/** One year as the calendar uses it. */
export interface CalendarYear {
  year: number;
  source: CalendarSource;
  /** `official:<version>` (e.g. `official:2027-v2`, `official:2026-shipped`) or `statutory`. */
  basis: string;
  /** The official notice, when the year has one. */
  notice: HolidayNotice | null;
  /** The statutory holidays, when the year stands on the statutory calendar. */
  holidays: HolidayPeriod[];
  workdays: MakeUpWorkday[];
}

/** A notice loaded at run time, with its version (1, 2, … per year). */
export interface LoadedNotice extends HolidayNotice {
  version: number;
}

/** The calendars a computation passed through: one basis per year, and `statutory` if any year was statutory. */
export interface CalendarBasis {
  /** `statutory`, or `official:<version>[,<version>…]` when every year had an official notice. */
  calendar: string;
  years: { year: number; basis: string }[];
}

interface YearDays {
  info: Omit<CalendarYear, 'holidays' | 'workdays'>;
  /** Holiday date → holiday name. */
  holidays: Map<string, string>;
  /** Make-up working day date → the holiday it is for. */
  workdays: Map<string, string>;
}

export const STATUTORY_BASIS = 'statutory';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const YEAR_FILE = /^(\d{4})\.yaml$/;
const ONE_HOUR_MS = 3_600_000;

export class HolidayCalendar {
  /** Notices loaded at run time, by year (source 1); replaced as a whole by `useLoaded`. */
  private loaded: ReadonlyMap<number, YearDays> = new Map();
  private readonly statutory = new Map<number, YearDays>();

  private constructor(private readonly shipped: ReadonlyMap<number, YearDays>) {}

  /** Reads and validates every `<year>.yaml` in `dir`; any problem throws a `CalendarDataError` listing them all. */
  static load(dir = HOLIDAYS_DIR): HolidayCalendar {
    const problems: string[] = [];
    let files: string[];
    try {
      files = readdirSync(dir).sort();
    } catch (error) {
      throw new CalendarDataError(`Cannot read the holiday calendar folder ${dir}: ${(error as Error).message}`);
    }
    const data = new Map<number, YearDays>();
    for (const file of files) {
      if (!/\.ya?ml$/i.test(file)) continue;
      const match = YEAR_FILE.exec(file);
      if (!match) {
        problems.push(`${file}: a holiday data file must be named <year>.yaml, e.g. 2026.yaml`);
        continue;
      }
      let content: unknown;
      try {
        content = parse(readFileSync(join(dir, file), 'utf8'));
      } catch (error) {
        problems.push(`${file}: not valid YAML: ${(error as Error).message}`);
        continue;
      }
      const year = Number(match[1]);
      const checked = checkNotice(content, year, `the file is named ${file}`);
      if ('problems' in checked) problems.push(...checked.problems.map((p) => `${file}: ${p.message}`));
      else data.set(year, officialDays(checked.notice, 'shipped', `${year}-shipped`));
    }
    if (!problems.length && !data.size) problems.push('no <year>.yaml holiday data files');
    if (problems.length) throw new CalendarDataError(`Invalid holiday calendar in ${dir}:\n- ${problems.join('\n- ')}`);
    return new HolidayCalendar(data);
  }

  /**
   * Replaces the notices loaded at run time (source 1) with these, the newest version of each year winning. Every
   * computation from now on uses them; the instance is shared, so every service in the process follows a load.
   */
  useLoaded(notices: LoadedNotice[]): void {
    const newest = new Map<number, LoadedNotice>();
    for (const notice of notices) {
      if ((newest.get(notice.year)?.version ?? 0) < notice.version) newest.set(notice.year, notice);
    }
    this.loaded = new Map([...newest].map(([year, notice]) => [year, officialDays(notice, 'loaded', `${year}-v${notice.version}`)]));
  }

  /** The years with an official notice (loaded or shipped), ascending. */
  years(): number[] {
    return [...new Set([...this.loaded.keys(), ...this.shipped.keys()])].sort((a, b) => a - b);
  }

  /** The official notice a year stands on ("title（number，date）"), or undefined when the year has none. */
  source(year: number): string | undefined {
    const notice = this.official(year)?.info.notice;
    return notice ? noticeText(notice) : undefined;
  }

  /** How `year` is counted: its source, basis, notice and days off. Throws `OutsideCalendarError` for an uncovered year. */
  year(year: number): CalendarYear {
    const days = this.days(year, `${year}-01-01`);
    const holidays = days.info.notice?.holidays ?? periodsOf(days.holidays);
    return { ...days.info, holidays, workdays: days.info.notice?.workdays ?? [] };
  }

  /** `official:<version>` or `statutory`: the calendar `year` stands on. */
  basis(year: number): string {
    return this.days(year, `${year}-01-01`).info.basis;
  }

  /** The calendars of every year from `from` to `to` (dates or instants, either order), e.g. a deadline's start and end. */
  basisBetween(from: string | Date, to: string | Date): CalendarBasis {
    const yearOf = (d: string | Date) => (typeof d === 'string' ? this.parse(d).year : DateTime.fromJSDate(d, { zone: CALENDAR_ZONE }).year);
    const [first, last] = [yearOf(from), yearOf(to)].sort((a, b) => a - b) as [number, number];
    const years: CalendarBasis['years'] = [];
    for (let year = first; year <= last; year++) years.push({ year, basis: this.basis(year) });
    const statutory = years.some((y) => y.basis === STATUTORY_BASIS);
    const calendar = statutory ? STATUTORY_BASIS : `official:${years.map((y) => y.basis.slice('official:'.length)).join(',')}`;
    return { calendar, years };
  }

  /** Checks a notice for `year` as the calendar API and the YAML files require; the problems name their fields. */
  static check(content: unknown, year: number): { notice: HolidayNotice } | { problems: FieldProblem[] } {
    return checkNotice(content, year, `the path says ${year}`);
  }

  /** Whether `date` is a working day: a make-up working day, or Monday–Friday and not a holiday. */
  isWorkingDay(date: string): boolean {
    return this.working(this.parse(date));
  }

  /**
   * The n-th working day after `date` (`date` itself does not count), e.g. the last day of "within 3 working days
   * after acceptance" is `addWorkingDays(accepted, 3)`. The answer is always a working day.
   *
   * n = 0 returns `date` itself when it is a working day and throws a `CalendarError` when it is not: there is no
   * working day 0 working days after a holiday (use `nextWorkingDay` for that). This keeps
   * `workingDaysBetween(d, addWorkingDays(d, n)) === n` true for every answer. n must be a whole number ≥ 0.
   */
  addWorkingDays(date: string, n: number): string {
    const start = this.parse(date);
    checkCount(n, 'n');
    const isWorking = this.working(start);
    if (n === 0) {
      if (isWorking) return date;
      throw new CalendarError(`${date} is not a working day, so there is no working day 0 working days after it`);
    }
    const context = `counting ${n} working day${n === 1 ? '' : 's'} after ${date}`;
    let day = start;
    for (let found = 0; found < n; ) {
      day = day.plus({ days: 1 });
      if (this.working(day, context)) found++;
    }
    return iso(day);
  }

  /**
   * The number of working days in (from, to]: `from` excluded, `to` included, so that
   * `workingDaysBetween(d, addWorkingDays(d, n)) === n`. 0 when `to` ≤ `from`. Both dates must be covered.
   */
  workingDaysBetween(from: string, to: string): number {
    const start = this.parse(from);
    const end = this.parse(to);
    this.working(start);
    this.working(end);
    const context = `counting the working days from ${from} to ${to}`;
    let count = 0;
    for (let day = start.plus({ days: 1 }); day <= end; day = day.plus({ days: 1 })) {
      if (this.working(day, context)) count++;
    }
    return count;
  }

  /** `date` itself when it is a working day, else the nearest working day before it. */
  previousWorkingDay(date: string): string {
    return this.nearest(date, -1);
  }

  /** `date` itself when it is a working day, else the nearest working day after it. */
  nextWorkingDay(date: string): string {
    return this.nearest(date, 1);
  }

  /**
   * The payment-calendar helper: day `day` of `month` (1–12) of `year`, moved to the previous or next working day
   * when it is not one, e.g. "paid on the 5th, the working day before when the 5th is a holiday". The day must exist
   * in that month (no clamping of the 31st to a shorter month's last day: that throws a `CalendarError`).
   */
  dayInMonth(year: number, month: number, day: number, direction: 'previous' | 'next'): string {
    const date = DateTime.fromObject({ year, month, day }, { zone: 'UTC' });
    if (![year, month, day].every(Number.isInteger) || !date.isValid) {
      throw new CalendarError(`There is no day ${day} in month ${month} of ${year}`);
    }
    if (direction !== 'previous' && direction !== 'next') {
      throw new CalendarError(`direction must be 'previous' or 'next', not ${JSON.stringify(direction)}`);
    }
    return this.nearest(iso(date), direction === 'previous' ? -1 : 1);
  }

  /**
   * The instant a deadline of n working days after `start` ends: the end (23:59:59.999 Asia/Shanghai) of
   * `addWorkingDays(shanghaiDate(start), n)`, as a UTC Date. The day `start` falls on never counts, whatever its time
   * of day, and the period ends at midnight of its last day (民法典 第二百零一条、第二百零三条: the starting day is not
   * counted; the last day ends at 24:00). n = 0 is the end of the start's own day if that is a working day, else an
   * error (as in `addWorkingDays`).
   */
  deadlineAfterWorkingDays(start: Date, n: number): Date {
    checkInstant(start, 'start');
    const startDate = DateTime.fromJSDate(start, { zone: CALENDAR_ZONE }).toISODate()!;
    const lastDay = this.addWorkingDays(startDate, n);
    return DateTime.fromISO(lastDay, { zone: CALENDAR_ZONE }).endOf('day').toJSDate();
  }

  /**
   * The instant a deadline of `hours` elapsed hours after `start` ends: plain elapsed time, running round the clock
   * through nights, weekends and holidays (the 12-hour reply and the 24-hour emergency aid are counted this way).
   * It does not consult the calendar, so it works for any instant, also in years not covered. `hours` must be a
   * finite number ≥ 0 (fractions allowed).
   */
  deadlineAfterHours(start: Date, hours: number): Date {
    checkInstant(start, 'start');
    if (typeof hours !== 'number' || !Number.isFinite(hours) || hours < 0) {
      throw new CalendarError(`hours must be a finite number ≥ 0, not ${String(hours)}`);
    }
    return new Date(start.getTime() + hours * ONE_HOUR_MS);
  }

  private nearest(date: string, step: 1 | -1): string {
    let day = this.parse(date);
    const context = `looking for the ${step < 0 ? 'previous' : 'next'} working day from ${date}`;
    while (!this.working(day, context)) day = day.plus({ days: step });
    return iso(day);
  }

  /** A `YYYY-MM-DD` argument as a date-only value (UTC midnight, so that adding days is plain day arithmetic). */
  private parse(date: string): DateTime {
    const parsed = typeof date === 'string' && DATE.test(date) ? DateTime.fromISO(date, { zone: 'UTC' }) : undefined;
    if (!parsed?.isValid) throw new CalendarError(`${JSON.stringify(date)} is not a calendar date written YYYY-MM-DD`);
    return parsed;
  }

  private working(day: DateTime, context?: string): boolean {
    const year = this.days(day.year, iso(day), context);
    const date = iso(day);
    if (year.workdays.has(date)) return true;
    return day.weekday <= 5 && !year.holidays.has(date);
  }

  private official(year: number): YearDays | undefined {
    return this.loaded.get(year) ?? this.shipped.get(year);
  }

  /** The year's days from the first source that has them; the statutory calendar is derived once per year. */
  private days(year: number, date: string, context?: string): YearDays {
    const official = this.official(year);
    if (official) return official;
    if (year >= STATUTORY_FROM_YEAR && year <= STATUTORY_TO_YEAR) {
      let days = this.statutory.get(year);
      if (!days) this.statutory.set(year, (days = statutoryDays(year)));
      return days;
    }
    const years = this.years();
    throw new OutsideCalendarError(
      `${date} is outside the holiday calendar: there is no notice for ${year} and the statutory calendar starts in ${STATUTORY_FROM_YEAR}` +
        (context ? ` (reached while ${context})` : ''),
      date,
      years,
    );
  }
}

/** The calendar from `dir` (default: the `holidays` folder next to this module). Reads the files on every call. */
export function loadHolidayCalendar(dir: string = HOLIDAYS_DIR): HolidayCalendar {
  return HolidayCalendar.load(dir);
}

function iso(day: DateTime): string {
  return day.toISODate()!;
}

function checkCount(n: number, what: string): void {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
    throw new CalendarError(`${what} must be a whole number ≥ 0, not ${String(n)}`);
  }
}

function checkInstant(instant: Date, what: string): void {
  if (!(instant instanceof Date) || Number.isNaN(instant.getTime())) {
    throw new CalendarError(`${what} must be a valid Date, not ${String(instant)}`);
  }
}

const NOTICE_KEYS = ['year', 'title', 'number', 'date', 'holidays', 'workdays'];
const HOLIDAY_KEYS = ['name', 'from', 'to'];
const WORKDAY_KEYS = ['date', 'for'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** "title（number，date）", as notices are cited. */
function noticeText(notice: HolidayNotice): string {
  return `${notice.title}（${notice.number ? `${notice.number}，` : ''}${notice.date}）`;
}

function officialDays(notice: HolidayNotice, source: CalendarSource, version: string): YearDays {
  const holidays = new Map<string, string>();
  for (const period of notice.holidays) {
    for (let day = DateTime.fromISO(period.from, { zone: 'UTC' }); iso(day) <= period.to; day = day.plus({ days: 1 })) holidays.set(iso(day), period.name);
  }
  const workdays = new Map(notice.workdays.map((w) => [w.date, w.for]));
  return { info: { year: notice.year, source, basis: `official:${version}`, notice }, holidays, workdays };
}

function statutoryDays(year: number): YearDays {
  const holidays = new Map<string, string>();
  // 中秋 can fall on 1–3 October (e.g. 2028): one day off, both names.
  for (const holiday of statutoryHolidays(year)) for (const date of holiday.dates) holidays.set(date, holidays.has(date) ? `${holidays.get(date)}、${holiday.name}` : holiday.name);
  return { info: { year, source: 'statutory', basis: STATUTORY_BASIS, notice: null }, holidays, workdays: new Map() };
}

/** Consecutive days of the same name as periods. */
function periodsOf(holidays: Map<string, string>): HolidayPeriod[] {
  const periods: HolidayPeriod[] = [];
  for (const [date, name] of [...holidays].sort(([a], [b]) => a.localeCompare(b))) {
    const last = periods[periods.length - 1];
    if (last && last.name === name && iso(DateTime.fromISO(last.to, { zone: 'UTC' }).plus({ days: 1 })) === date) last.to = date;
    else periods.push({ name, from: date, to: date });
  }
  return periods;
}

/**
 * Validates a notice for `year` (`yearSays`: what fixes the year, for the message). Refused: a date outside the
 * year, a make-up day on a weekday or on a holiday, overlapping periods, a statutory day outside every period, an
 * empty title. Every problem names its field.
 */
function checkNotice(content: unknown, year: number, yearSays: string): { notice: HolidayNotice } | { problems: FieldProblem[] } {
  if (!isRecord(content)) return { problems: [{ field: '', message: 'must be a mapping with year, title, number, date, holidays and workdays' }] };
  const problems: FieldProblem[] = [];
  const problem = (field: string, message: string) => problems.push({ field, message });
  for (const key of Object.keys(content)) if (!NOTICE_KEYS.includes(key)) problem(key, `top level: unknown key "${key}" (allowed: ${NOTICE_KEYS.join(', ')})`);
  if (content.year !== year) problem('year', `year is ${JSON.stringify(content.year)} but ${yearSays}`);
  const text = (value: unknown, field: string, what = 'a non-empty text'): string | undefined => {
    if (typeof value === 'string' && value.trim()) return value.trim();
    problem(field, `${field} must be ${what}`);
    return undefined;
  };
  const title = text(content.title, 'title', 'the title of the State Council notice');
  const number = content.number === undefined || content.number === null ? null : text(content.number, 'number', 'the notice number (e.g. 国办发明电〔2024〕12号) or null');
  const parseDate = (value: unknown, field: string): DateTime | undefined => {
    if (typeof value !== 'string' || !DATE.test(value)) {
      problem(field, `${field} must be a date written 'YYYY-MM-DD', not ${JSON.stringify(value)}`);
      return undefined;
    }
    const day = DateTime.fromISO(value, { zone: 'UTC' });
    if (!day.isValid) problem(field, `${field} ${value} is not a calendar date`);
    return day.isValid ? day : undefined;
  };
  const noticeDate = parseDate(content.date, 'date');
  if (noticeDate && noticeDate.year > year) problem('date', `date ${iso(noticeDate)} is after ${year}; a notice is published before or in its year`);
  /** A date field inside the notice's year. */
  const dateIn = (value: unknown, field: string): DateTime | undefined => {
    const day = parseDate(value, field);
    if (day && day.year !== year) {
      problem(field, `${field} ${iso(day)} is outside ${year}; every date of the ${year} notice must lie in ${year} (a notice's days in another year belong to that year's notice)`);
      return undefined;
    }
    return day;
  };
  const holidays = new Map<string, string>();
  const periods: HolidayPeriod[] = [];
  if (!Array.isArray(content.holidays) || !content.holidays.length) {
    problem('holidays', 'holidays must be a non-empty list of { name, from, to }');
  } else {
    content.holidays.forEach((entry: unknown, i) => {
      const field = `holidays[${i}]`;
      if (!isRecord(entry)) return problem(field, `${field} must be a mapping { name, from, to }`);
      for (const key of Object.keys(entry)) if (!HOLIDAY_KEYS.includes(key)) problem(`${field}.${key}`, `${field}: unknown key "${key}" (allowed: ${HOLIDAY_KEYS.join(', ')})`);
      const name = text(entry.name, `${field}.name`);
      const from = dateIn(entry.from, `${field}.from`);
      const to = dateIn(entry.to, `${field}.to`);
      if (!name || !from || !to) return;
      if (from > to) return problem(`${field}.to`, `${field} (${name}) runs from ${iso(from)} to an earlier ${iso(to)}; from must be ≤ to`);
      periods.push({ name, from: iso(from), to: iso(to) });
      for (let day = from; day <= to; day = day.plus({ days: 1 })) {
        const other = holidays.get(iso(day));
        if (other !== undefined) return problem(`${field}.from`, `${field} (${name}): ${iso(day)} is already a day of ${other}; periods must not overlap`);
        holidays.set(iso(day), name);
      }
    });
  }
  const workdays: MakeUpWorkday[] = [];
  if (!Array.isArray(content.workdays)) {
    problem('workdays', 'workdays must be a list of { date, for } (write workdays: [] when the notice has none)');
  } else {
    content.workdays.forEach((entry: unknown, i) => {
      const field = `workdays[${i}]`;
      if (!isRecord(entry)) return problem(field, `${field} must be a mapping { date, for }`);
      for (const key of Object.keys(entry)) if (!WORKDAY_KEYS.includes(key)) problem(`${field}.${key}`, `${field}: unknown key "${key}" (allowed: ${WORKDAY_KEYS.join(', ')})`);
      const forHoliday = text(entry.for, `${field}.for`);
      const day = dateIn(entry.date, `${field}.date`);
      if (!forHoliday || !day) return;
      const date = iso(day);
      if (day.weekday <= 5) {
        return problem(`${field}.date`, `${field} ${date} is a ${day.setLocale('en').weekdayLong}; a make-up working day (调休上班) must be a Saturday or Sunday`);
      }
      const holiday = holidays.get(date);
      if (holiday !== undefined) return problem(`${field}.date`, `${field} ${date} is both a make-up working day and a day of ${holiday}`);
      if (workdays.some((w) => w.date === date)) return problem(`${field}.date`, `${field} ${date} is listed twice`);
      workdays.push({ date, for: forHoliday });
    });
  }
  // The notice arranges the statutory days, it cannot drop one (《全国年节及纪念日放假办法》第二条).
  if (Array.isArray(content.holidays) && year >= STATUTORY_FROM_YEAR && year <= STATUTORY_TO_YEAR) {
    for (const statutory of statutoryHolidays(year)) {
      for (const date of statutory.dates) {
        if (!holidays.has(date)) problem('holidays', `holidays: the statutory day ${date} of ${statutory.name} (${STATUTORY_RULE}) lies in no holiday period`);
      }
    }
  }
  if (problems.length) return { problems };
  return { notice: { year, title: title!, number: number ?? null, date: iso(noticeDate!), holidays: periods, workdays } };
}
