import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { parse } from 'yaml';

/**
 * The PRC holiday calendar and working-day arithmetic every statutory deadline is counted with.
 *
 * The data is one file per year, `holidays/<year>.yaml`, copied from the State Council's annual notice
 * (国务院办公厅关于<year>年部分节假日安排的通知): the holiday periods (放假) and the make-up working days on weekends
 * (调休上班). Adding a year is a data-only change: drop in its file. Loading validates every file and fails with every
 * problem listed, each naming its file.
 *
 * Rules:
 * - Dates are calendar dates in Asia/Shanghai written `YYYY-MM-DD`; instants are UTC `Date`s.
 * - A day is a working day when it is a make-up working day, or it is Monday to Friday and not a holiday.
 * - A date in a year without a data file is an error (`CalendarError` naming the date and the years covered), never
 *   a guess, also when an arithmetic walk only passes through such a year.
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

/** One year's file, `holidays/<year>.yaml`. */
export interface HolidayYear {
  year: number;
  /** The notice: title, number, date. */
  source: string;
  holidays: HolidayPeriod[];
  workdays: MakeUpWorkday[];
}

interface YearDays {
  source: string;
  /** Holiday date → holiday name. */
  holidays: Map<string, string>;
  /** Make-up working day date → the holiday it is for. */
  workdays: Map<string, string>;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const YEAR_FILE = /^(\d{4})\.yaml$/;
const ONE_HOUR_MS = 3_600_000;

export class HolidayCalendar {
  private constructor(private readonly data: ReadonlyMap<number, YearDays>) {}

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
      const checked = checkYear(content, Number(match[1]));
      if ('problems' in checked) problems.push(...checked.problems.map((p) => `${file}: ${p}`));
      else data.set(checked.year, checked.days);
    }
    if (!problems.length && !data.size) problems.push('no <year>.yaml holiday data files');
    if (problems.length) throw new CalendarDataError(`Invalid holiday calendar in ${dir}:\n- ${problems.join('\n- ')}`);
    return new HolidayCalendar(data);
  }

  /** The years covered, ascending. */
  years(): number[] {
    return [...this.data.keys()].sort((a, b) => a - b);
  }

  /** The notice a year's data was copied from, or undefined when the year is not covered. */
  source(year: number): string | undefined {
    return this.data.get(year)?.source;
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
    const year = this.data.get(day.year);
    if (!year) {
      const years = this.years();
      throw new OutsideCalendarError(
        `${iso(day)} is outside the holiday calendar, which covers ${years.join(', ')} only` +
          (context ? ` (reached while ${context})` : '') +
          `; add holidays/${day.year}.yaml from the State Council notice for ${day.year}`,
        iso(day),
        years,
      );
    }
    const date = iso(day);
    if (year.workdays.has(date)) return true;
    return day.weekday <= 5 && !year.holidays.has(date);
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

const YEAR_KEYS = ['year', 'source', 'holidays', 'workdays'];
const HOLIDAY_KEYS = ['name', 'from', 'to'];
const WORKDAY_KEYS = ['date', 'for'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function unknownKeys(value: Record<string, unknown>, allowed: string[], where: string): string[] {
  return Object.keys(value)
    .filter((key) => !allowed.includes(key))
    .map((key) => `${where}: unknown key "${key}" (allowed: ${allowed.join(', ')})`);
}

/** Validates one year's file; `fileYear` is the year its name says. */
function checkYear(content: unknown, fileYear: number): { year: number; days: YearDays } | { problems: string[] } {
  if (!isRecord(content)) return { problems: ['must be a mapping with year, source, holidays and workdays'] };
  const problems = unknownKeys(content, YEAR_KEYS, 'top level');
  if (content.year !== fileYear) problems.push(`year is ${JSON.stringify(content.year)} but the file is named ${fileYear}.yaml`);
  if (typeof content.source !== 'string' || !content.source.trim()) {
    problems.push('source must name the State Council notice (title, number, date)');
  }
  const holidays = new Map<string, string>();
  const workdays = new Map<string, string>();

  /** A date field: a valid YYYY-MM-DD string in the file's year. */
  const dateIn = (value: unknown, where: string): DateTime | undefined => {
    if (typeof value !== 'string' || !DATE.test(value)) {
      problems.push(`${where} must be a date written 'YYYY-MM-DD', not ${JSON.stringify(value)}`);
      return undefined;
    }
    const day = DateTime.fromISO(value, { zone: 'UTC' });
    if (!day.isValid) {
      problems.push(`${where} ${value} is not a calendar date`);
      return undefined;
    }
    if (day.year !== fileYear) {
      problems.push(`${where} ${value} is outside ${fileYear}; every date in ${fileYear}.yaml must lie in ${fileYear}`);
      return undefined;
    }
    return day;
  };
  const text = (value: unknown, where: string): string | undefined => {
    if (typeof value === 'string' && value.trim()) return value;
    problems.push(`${where} must be a non-empty text`);
    return undefined;
  };

  if (!Array.isArray(content.holidays) || !content.holidays.length) {
    problems.push('holidays must be a non-empty list of { name, from, to }');
  } else {
    content.holidays.forEach((entry: unknown, i) => {
      const where = `holidays[${i}]`;
      if (!isRecord(entry)) return problems.push(`${where} must be a mapping { name, from, to }`);
      problems.push(...unknownKeys(entry, HOLIDAY_KEYS, where));
      const name = text(entry.name, `${where}.name`);
      const from = dateIn(entry.from, `${where}.from`);
      const to = dateIn(entry.to, `${where}.to`);
      if (!name || !from || !to) return;
      if (from > to) return problems.push(`${where} (${name}) runs from ${iso(from)} to an earlier ${iso(to)}; from must be ≤ to`);
      for (let day = from; day <= to; day = day.plus({ days: 1 })) {
        const date = iso(day);
        const other = holidays.get(date);
        if (other !== undefined) problems.push(`${where} (${name}): ${date} is already a day of ${other}`);
        else holidays.set(date, name);
      }
    });
  }

  if (!Array.isArray(content.workdays)) {
    problems.push('workdays must be a list of { date, for } (write workdays: [] when the notice has none)');
  } else {
    content.workdays.forEach((entry: unknown, i) => {
      const where = `workdays[${i}]`;
      if (!isRecord(entry)) return problems.push(`${where} must be a mapping { date, for }`);
      problems.push(...unknownKeys(entry, WORKDAY_KEYS, where));
      const forHoliday = text(entry.for, `${where}.for`);
      const day = dateIn(entry.date, `${where}.date`);
      if (!forHoliday || !day) return;
      const date = iso(day);
      if (day.weekday <= 5) {
        return problems.push(
          `${where} ${date} is a ${day.setLocale('en').weekdayLong}; a make-up working day (调休上班) must be a Saturday or Sunday`,
        );
      }
      const holiday = holidays.get(date);
      if (holiday !== undefined) return problems.push(`${where} ${date} is both a make-up working day and a day of ${holiday}`);
      if (workdays.has(date)) return problems.push(`${where} ${date} is listed twice`);
      workdays.set(date, forHoliday);
    });
  }

  if (problems.length) return { problems };
  return { year: fileYear, days: { source: content.source as string, holidays, workdays } };
}
