import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { CalendarDataError, CalendarError, HOLIDAYS_DIR, HolidayCalendar, loadHolidayCalendar, OutsideCalendarError } from './holiday-calendar';

// Expected values are written out by hand from the State Council notices, not derived from the data files.

/** Every holiday date (放假) of the 2025 notice, 国办发明电〔2024〕12号. */
const HOLIDAYS_2025 = [
  '2025-01-01', // 元旦
  '2025-01-28', '2025-01-29', '2025-01-30', '2025-01-31', '2025-02-01', '2025-02-02', '2025-02-03', '2025-02-04', // 春节
  '2025-04-04', '2025-04-05', '2025-04-06', // 清明
  '2025-05-01', '2025-05-02', '2025-05-03', '2025-05-04', '2025-05-05', // 劳动节
  '2025-05-31', '2025-06-01', '2025-06-02', // 端午
  '2025-10-01', '2025-10-02', '2025-10-03', '2025-10-04', '2025-10-05', '2025-10-06', '2025-10-07', '2025-10-08', // 国庆、中秋
];
/** Every make-up working day (调休上班) of the 2025 notice. */
const WORKDAYS_2025 = ['2025-01-26', '2025-02-08', '2025-04-27', '2025-09-28', '2025-10-11'];

/** Every holiday date of the 2026 notice (2025-11-04). */
const HOLIDAYS_2026 = [
  '2026-01-01', '2026-01-02', '2026-01-03', // 元旦
  '2026-02-15', '2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20', '2026-02-21', '2026-02-22', '2026-02-23', // 春节
  '2026-04-04', '2026-04-05', '2026-04-06', // 清明
  '2026-05-01', '2026-05-02', '2026-05-03', '2026-05-04', '2026-05-05', // 劳动节
  '2026-06-19', '2026-06-20', '2026-06-21', // 端午
  '2026-09-25', '2026-09-26', '2026-09-27', // 中秋
  '2026-10-01', '2026-10-02', '2026-10-03', '2026-10-04', '2026-10-05', '2026-10-06', '2026-10-07', // 国庆
];
const WORKDAYS_2026 = ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'];

const HOLIDAYS = new Set([...HOLIDAYS_2025, ...HOLIDAYS_2026]);
const WORKDAYS = new Set([...WORKDAYS_2025, ...WORKDAYS_2026]);

/** Every date of a year, YYYY-MM-DD, with plain Date arithmetic (independent of luxon and the module). */
function datesOf(year: number): string[] {
  const dates: string[] = [];
  for (let t = Date.UTC(year, 0, 1); new Date(t).getUTCFullYear() === year; t += 86_400_000) {
    dates.push(new Date(t).toISOString().slice(0, 10));
  }
  return dates;
}
const ALL_DATES = [...datesOf(2025), ...datesOf(2026)];
/** 0 = Sunday … 6 = Saturday. */
const weekday = (date: string): number => new Date(`${date}T00:00:00Z`).getUTCDay();

/** The date `days` after `date` (negative: before), plain Date arithmetic. */
function shift(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

const calendar = loadHolidayCalendar();

describe('holiday calendar data', () => {
  it('covers exactly 2025 and 2026, from the default folder', () => {
    expect(calendar.years()).toEqual([2025, 2026]);
    expect(HolidayCalendar.load(HOLIDAYS_DIR).years()).toEqual([2025, 2026]);
    expect(calendar.source(2025)).toContain('国办发明电〔2024〕12号');
    expect(calendar.source(2026)).toContain('2026年部分节假日安排');
    expect(calendar.source(2027)).toBeUndefined();
    expect(calendar.basis(2025)).toBe('official:2025-shipped');
    expect(calendar.basis(2027)).toBe('statutory');
  });

  it('the hand-written lists have the notices’ lengths (28 + 5 days in 2025, 33 + 6 in 2026) and make-up days are weekends', () => {
    expect([HOLIDAYS_2025.length, WORKDAYS_2025.length, HOLIDAYS_2026.length, WORKDAYS_2026.length]).toEqual([28, 5, 33, 6]);
    for (const date of WORKDAYS) expect([0, 6]).toContain(weekday(date));
  });

  it.each([...HOLIDAYS_2025, ...HOLIDAYS_2026])('holiday %s is not a working day', (date) => {
    expect(calendar.isWorkingDay(date)).toBe(false);
  });

  it.each([...WORKDAYS_2025, ...WORKDAYS_2026])('make-up day %s is a working day', (date) => {
    expect(calendar.isWorkingDay(date)).toBe(true);
  });

  it.each([
    ['2025-01-02', true], // Thursday after 元旦
    ['2025-01-27', true], // Monday before 春节
    ['2025-02-05', true], // Wednesday after 春节
    ['2025-02-09', false], // Sunday after the make-up Saturday
    ['2025-04-26', false], // Saturday before the make-up Sunday
    ['2025-09-27', false], // Saturday before the make-up Sunday 09-28
    ['2025-10-09', true],
    ['2025-10-12', false], // Sunday after the make-up Saturday 10-11
    ['2025-12-31', true],
    ['2026-01-05', true],
    ['2026-02-07', false], // Saturday
    ['2026-02-08', false], // Sunday
    ['2026-02-13', true], // Friday before 春节
    ['2026-02-24', true], // Tuesday after 春节
    ['2026-03-01', false], // Sunday after the make-up Saturday 02-28
    ['2026-09-19', false], // Saturday before the make-up Sunday 09-20
    ['2026-09-30', true],
    ['2026-10-08', true],
    ['2026-10-11', false], // Sunday after the make-up Saturday 10-10
    ['2026-12-31', true],
  ])('%s working: %s', (date, expected) => {
    expect(calendar.isWorkingDay(date)).toBe(expected);
  });

  it('classifies every day of 2025 and 2026 as the rule says', () => {
    const wrong = ALL_DATES.filter((date) => {
      const expected = WORKDAYS.has(date) || (weekday(date) >= 1 && weekday(date) <= 5 && !HOLIDAYS.has(date));
      return calendar.isWorkingDay(date) !== expected;
    });
    expect(wrong).toEqual([]);
  });

  it.each([
    // 261 weekdays − 18 weekday holidays + 5 make-up days; (01-01, 12-31] loses nothing as 01-01 is 元旦
    [2025, 248, '2025-01-01'],
    // 261 weekdays − 19 weekday holidays + 6 make-up days
    [2026, 248, '2025-12-31'],
  ])('%i has %i working days', (year, count, from) => {
    expect(datesOf(year).filter((d) => calendar.isWorkingDay(d))).toHaveLength(count);
    expect(calendar.workingDaysBetween(from, `${year}-12-31`)).toBe(count);
  });
});

describe('addWorkingDays', () => {
  it.each([
    // 2026 春节: 02-13 Fri (1), 02-14 make-up Sat (2), 02-15..23 off, 02-24 Tue (3)
    ['2026-02-12', 1, '2026-02-13'],
    ['2026-02-12', 2, '2026-02-14'],
    ['2026-02-12', 3, '2026-02-24'],
    ['2026-02-13', 1, '2026-02-14'],
    ['2026-02-14', 1, '2026-02-24'],
    ['2026-02-15', 1, '2026-02-24'], // from inside the holiday
    ['2026-02-23', 1, '2026-02-24'],
    ['2026-02-24', 4, '2026-02-28'], // 02-25, 02-26, 02-27, make-up Sat 02-28
    ['2026-02-24', 5, '2026-03-02'], // Sun 03-01 is off
    // 2026 中秋 and 国庆: make-up Sun 09-20, 09-25..27 off, 10-01..07 off, make-up Sat 10-10
    ['2026-09-18', 1, '2026-09-20'],
    ['2026-09-24', 1, '2026-09-28'],
    ['2026-09-29', 1, '2026-09-30'],
    ['2026-09-29', 2, '2026-10-08'],
    ['2026-09-29', 3, '2026-10-09'],
    ['2026-09-29', 4, '2026-10-10'],
    ['2026-09-30', 3, '2026-10-10'],
    ['2026-10-03', 1, '2026-10-08'],
    ['2026-10-09', 1, '2026-10-10'],
    ['2026-10-10', 1, '2026-10-12'], // Sun 10-11 is off
    // 2025 year end into 2026 元旦: 01-01..03 off, 01-04 is a make-up Sunday
    ['2025-12-30', 1, '2025-12-31'],
    ['2025-12-31', 1, '2026-01-04'],
    ['2025-12-31', 2, '2026-01-05'],
    ['2025-12-26', 3, '2025-12-31'], // Friday: 12-29, 12-30, 12-31
    ['2025-12-26', 4, '2026-01-04'],
    // 2025 春节: make-up Sun 01-26, 01-28..02-04 off, make-up Sat 02-08
    ['2025-01-24', 1, '2025-01-26'],
    ['2025-01-24', 2, '2025-01-27'],
    ['2025-01-24', 3, '2025-02-05'],
    ['2025-02-05', 3, '2025-02-08'],
    ['2025-02-05', 4, '2025-02-10'],
    // 2025 劳动节 with the make-up Sunday 04-27; 端午
    ['2025-04-25', 1, '2025-04-27'],
    ['2025-04-30', 1, '2025-05-06'],
    ['2025-05-30', 1, '2025-06-03'],
    // 2025 国庆、中秋: make-up Sun 09-28, 10-01..08 off, make-up Sat 10-11
    ['2025-09-26', 1, '2025-09-28'],
    ['2025-09-30', 1, '2025-10-09'],
    ['2025-09-30', 3, '2025-10-11'],
    // ordinary weeks
    ['2026-03-06', 1, '2026-03-09'], // Friday → Monday
    ['2026-03-07', 1, '2026-03-09'], // Saturday → Monday
    ['2026-03-02', 5, '2026-03-09'],
    ['2026-03-02', 10, '2026-03-16'],
    ['2025-01-02', 248 - 1, '2025-12-31'], // every working day of 2025 after 01-02
    ['2026-12-30', 1, '2026-12-31'],
  ])('%s + %i working days = %s', (date, n, expected) => {
    expect(calendar.addWorkingDays(date, n)).toBe(expected);
  });

  it.each([
    ['2026-02-13', '2026-02-13'],
    ['2026-02-14', '2026-02-14'], // make-up Saturday
    ['2026-10-10', '2026-10-10'],
  ])('n = 0 on the working day %s is the day itself', (date, expected) => {
    expect(calendar.addWorkingDays(date, 0)).toBe(expected);
  });

  it.each(['2026-02-15', '2026-02-07', '2026-10-01'])('n = 0 on the non-working day %s throws', (date) => {
    expect(() => calendar.addWorkingDays(date, 0)).toThrow(CalendarError);
    expect(() => calendar.addWorkingDays(date, 0)).not.toThrow(OutsideCalendarError);
    expect(() => calendar.addWorkingDays(date, 0)).toThrow(`${date} is not a working day`);
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('n = %p throws', (n) => {
    expect(() => calendar.addWorkingDays('2026-03-02', n)).toThrow(/n must be a whole number ≥ 0/);
  });
});

describe('workingDaysBetween: working days in (from, to]', () => {
  it.each([
    ['2026-02-12', '2026-02-24', 3],
    ['2026-02-13', '2026-02-14', 1], // the make-up Saturday counts
    ['2026-02-14', '2026-02-23', 0], // from is excluded, the rest is holiday
    ['2026-02-14', '2026-02-24', 1],
    ['2026-09-30', '2026-10-07', 0],
    ['2026-09-30', '2026-10-08', 1],
    ['2026-09-29', '2026-10-10', 4],
    ['2025-12-31', '2026-01-04', 1],
    ['2025-12-31', '2026-01-05', 2],
    ['2026-03-02', '2026-03-09', 5],
    ['2026-02-13', '2026-02-13', 0], // to = from
    ['2026-02-24', '2026-02-12', 0], // to < from
    ['2025-12-31', '2026-12-31', 248],
    ['2025-01-01', '2026-12-31', 496],
  ])('(%s, %s] has %i working days', (from, to, expected) => {
    expect(calendar.workingDaysBetween(from, to)).toBe(expected);
  });
});

describe('previousWorkingDay / nextWorkingDay', () => {
  it.each([
    // date, previous, next
    ['2026-10-05', '2026-09-30', '2026-10-08'], // inside 国庆
    ['2026-10-01', '2026-09-30', '2026-10-08'],
    ['2026-10-10', '2026-10-10', '2026-10-10'], // make-up Saturday
    ['2026-10-11', '2026-10-10', '2026-10-12'],
    ['2026-09-19', '2026-09-18', '2026-09-20'], // Saturday before the make-up Sunday
    ['2026-09-26', '2026-09-24', '2026-09-28'], // inside 中秋
    ['2026-02-08', '2026-02-06', '2026-02-09'], // an ordinary Sunday
    ['2026-02-20', '2026-02-14', '2026-02-24'], // inside 春节, back to the make-up Saturday
    ['2026-01-01', '2025-12-31', '2026-01-04'], // across the year boundary
    ['2026-05-03', '2026-04-30', '2026-05-06'],
    ['2025-02-01', '2025-01-27', '2025-02-05'],
    ['2025-10-05', '2025-09-30', '2025-10-09'],
    ['2025-01-25', '2025-01-24', '2025-01-26'],
    ['2026-03-04', '2026-03-04', '2026-03-04'], // an ordinary Wednesday
    ['2026-12-31', '2026-12-31', '2026-12-31'],
  ])('%s: previous %s, next %s', (date, previous, next) => {
    expect(calendar.previousWorkingDay(date)).toBe(previous);
    expect(calendar.nextWorkingDay(date)).toBe(next);
  });
});

describe('dayInMonth', () => {
  it.each([
    // year, month, day, previous, next
    [2026, 10, 5, '2026-09-30', '2026-10-08'],
    [2026, 10, 8, '2026-10-08', '2026-10-08'],
    [2026, 10, 10, '2026-10-10', '2026-10-10'], // make-up Saturday
    [2026, 2, 5, '2026-02-05', '2026-02-05'],
    [2026, 2, 8, '2026-02-06', '2026-02-09'], // Sunday
    [2026, 2, 15, '2026-02-14', '2026-02-24'], // first day of 春节
    [2026, 2, 20, '2026-02-14', '2026-02-24'],
    [2026, 1, 1, '2025-12-31', '2026-01-04'],
    [2026, 1, 10, '2026-01-09', '2026-01-12'], // Saturday
    [2026, 4, 5, '2026-04-03', '2026-04-07'], // 清明
    [2026, 5, 5, '2026-04-30', '2026-05-06'], // 劳动节
    [2026, 6, 20, '2026-06-18', '2026-06-22'], // 端午
    [2026, 9, 20, '2026-09-20', '2026-09-20'], // make-up Sunday
    [2026, 11, 8, '2026-11-06', '2026-11-09'], // Sunday
    [2025, 10, 5, '2025-09-30', '2025-10-09'],
    [2025, 10, 8, '2025-09-30', '2025-10-09'],
    [2025, 10, 10, '2025-10-10', '2025-10-10'],
    [2025, 2, 1, '2025-01-27', '2025-02-05'],
    [2025, 2, 8, '2025-02-08', '2025-02-08'], // make-up Saturday
    [2025, 5, 5, '2025-04-30', '2025-05-06'],
    [2025, 6, 1, '2025-05-30', '2025-06-03'],
    [2026, 12, 31, '2026-12-31', '2026-12-31'],
  ])('%i-%i-%i: previous %s, next %s', (year, month, day, previous, next) => {
    expect(calendar.dayInMonth(year, month, day, 'previous')).toBe(previous);
    expect(calendar.dayInMonth(year, month, day, 'next')).toBe(next);
  });

  it.each([
    [2025, 2, 29],
    [2026, 4, 31],
    [2026, 13, 1],
    [2026, 0, 5],
    [2026, 1, 1.5],
  ])('%i-%i-%p does not exist', (year, month, day) => {
    expect(() => calendar.dayInMonth(year, month, day, 'previous')).toThrow(CalendarError);
    expect(() => calendar.dayInMonth(year, month, day, 'previous')).toThrow(/There is no day/);
  });

  it('rejects an unknown direction', () => {
    expect(() => calendar.dayInMonth(2026, 10, 5, 'nearest' as 'next')).toThrow(/direction must be 'previous' or 'next'/);
  });
});

describe('deadlineAfterWorkingDays', () => {
  it.each([
    // start, n, deadline (UTC); the deadline is 23:59:59.999 Asia/Shanghai = 15:59:59.999Z of the last day
    ['2026-09-29T10:00:00+08:00', 1, '2026-09-30T15:59:59.999Z'],
    ['2026-09-29T10:00:00+08:00', 2, '2026-10-08T15:59:59.999Z'],
    ['2026-09-29T10:00:00+08:00', 3, '2026-10-09T15:59:59.999Z'], // 09-30, 10-08, 10-09
    ['2026-09-29T10:00:00+08:00', 4, '2026-10-10T15:59:59.999Z'], // the make-up Saturday
    // 00:30 on 09-30 in Shanghai is still 09-29 in UTC: the Shanghai date counts
    ['2026-09-29T16:30:00Z', 3, '2026-10-10T15:59:59.999Z'],
    ['2026-09-29T15:59:59.999Z', 3, '2026-10-09T15:59:59.999Z'], // 23:59:59.999 on 09-29 in Shanghai
    // the start's time of day never matters
    ['2026-02-13T00:00:00+08:00', 1, '2026-02-14T15:59:59.999Z'],
    ['2026-02-13T23:59:00+08:00', 1, '2026-02-14T15:59:59.999Z'],
    ['2026-02-12T09:00:00+08:00', 3, '2026-02-24T15:59:59.999Z'],
    // started on a holiday
    ['2026-10-03T09:00:00+08:00', 1, '2026-10-08T15:59:59.999Z'],
    ['2025-12-31T18:00:00+08:00', 1, '2026-01-04T15:59:59.999Z'],
    // n = 0 on a working day: the end of that day
    ['2026-03-04T09:00:00+08:00', 0, '2026-03-04T15:59:59.999Z'],
  ])('%s + %i working days ends at %s', (start, n, expected) => {
    expect(calendar.deadlineAfterWorkingDays(new Date(start), n).toISOString()).toBe(expected);
  });

  it('n = 0 on a holiday throws', () => {
    expect(() => calendar.deadlineAfterWorkingDays(new Date('2026-10-03T09:00:00+08:00'), 0)).toThrow(CalendarError);
  });

  it('an invalid Date throws', () => {
    expect(() => calendar.deadlineAfterWorkingDays(new Date('nonsense'), 3)).toThrow(/start must be a valid Date/);
  });

  it('a deadline that runs into a year without a notice stands on the statutory calendar', () => {
    // 2026-12-31 Thu; 2027-01-01 Fri is 元旦 (statutory), weekend, Mon 2027-01-04.
    expect(calendar.deadlineAfterWorkingDays(new Date('2026-12-31T12:00:00+08:00'), 1).toISOString()).toBe('2027-01-04T15:59:59.999Z');
    expect(calendar.basisBetween('2026-12-31', '2027-01-04')).toEqual({
      calendar: 'statutory',
      years: [{ year: 2026, basis: 'official:2026-shipped' }, { year: 2027, basis: 'statutory' }],
    });
  });

  it('a case accepted on 2026-12-01 has its 30 working days end on 2027-01-13 (counted by hand)', () => {
    // December 2026: 2–4 (3), 7–11 (8), 14–18 (13), 21–25 (18), 28–31 (22); 2027-01-01 元旦 off;
    // January 2027: 4–8 (27), 11 (28), 12 (29), 13 (30).
    expect(calendar.deadlineAfterWorkingDays(new Date('2026-12-01T10:00:00+08:00'), 30).toISOString()).toBe('2027-01-13T15:59:59.999Z');
  });
});

describe('deadlineAfterHours', () => {
  it.each([
    // plain elapsed time, round the clock, through holidays and weekends
    ['2026-09-30T20:00:00+08:00', 12, '2026-10-01T00:00:00.000Z'],
    ['2026-10-01T09:00:00+08:00', 24, '2026-10-02T01:00:00.000Z'],
    ['2026-02-14T18:00:00+08:00', 24, '2026-02-15T10:00:00.000Z'],
    ['2026-03-06T17:30:00+08:00', 12, '2026-03-06T21:30:00.000Z'], // 05:30 on Saturday in Shanghai
    ['2026-03-06T17:30:00+08:00', 0.5, '2026-03-06T10:00:00.000Z'],
    ['2026-03-06T17:30:00+08:00', 0, '2026-03-06T09:30:00.000Z'],
    // no calendar needed, so an uncovered year is fine
    ['2026-12-31T12:00:00+08:00', 24, '2027-01-01T04:00:00.000Z'],
  ])('%s + %p hours = %s', (start, hours, expected) => {
    expect(calendar.deadlineAfterHours(new Date(start), hours).toISOString()).toBe(expected);
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('hours = %p throws', (hours) => {
    expect(() => calendar.deadlineAfterHours(new Date('2026-03-06T09:00:00Z'), hours)).toThrow(/hours must be a finite number ≥ 0/);
  });

  it('an invalid Date throws', () => {
    expect(() => calendar.deadlineAfterHours(new Date(Number.NaN), 12)).toThrow(/start must be a valid Date/);
  });
});

describe('dates before the statutory calendar without a notice are errors, never guesses', () => {
  it.each([
    ['isWorkingDay 2024-12-31', () => calendar.isWorkingDay('2024-12-31'), '2024-12-31'],
    ['addWorkingDays from 2024', () => calendar.addWorkingDays('2024-12-30', 1), '2024-12-30'],
    ['workingDaysBetween from 2024', () => calendar.workingDaysBetween('2024-12-31', '2025-01-05'), '2024-12-31'],
    ['previousWorkingDay walking into 2024', () => calendar.previousWorkingDay('2025-01-01'), '2024-12-31'],
    ['dayInMonth walking into 2024', () => calendar.dayInMonth(2025, 1, 1, 'previous'), '2024-12-31'],
  ])('%s', (_, call, date) => {
    expect(call).toThrow(CalendarError);
    expect(call).toThrow(`${date} is outside the holiday calendar: there is no notice for 2024 and the statutory calendar starts in 2025`);
    expect(call).toThrow(expect.objectContaining({ name: 'OutsideCalendarError', date, years: [2025, 2026] }));
  });

  it('a walk into 2024 names where it started', () => {
    expect(() => calendar.previousWorkingDay('2025-01-01')).toThrow('(reached while looking for the previous working day from 2025-01-01)');
  });
});

describe('the statutory calendar of a year without a notice', () => {
  it.each([
    ['2027-01-01', false], // 元旦
    ['2027-02-05', false], // 除夕
    ['2027-02-08', false], // 正月初三
    ['2027-02-09', true], // 正月初四, a Tuesday: no bridge days without the notice
    ['2027-04-05', false], // 清明
    ['2027-05-03', true], // Monday: the statute gives 1–2 May only
    ['2027-06-09', false], // 端午
    ['2027-09-15', false], // 中秋
    ['2027-10-04', true], // Monday after 国庆's three statutory days
    ['2027-02-20', false], // a Saturday: weekends are off, no make-up days
  ])('%s working: %s', (date, expected) => {
    expect(calendar.isWorkingDay(date)).toBe(expected);
    expect(calendar.basis(2027)).toBe('statutory');
  });

  it('the walk from 2026-12-30 goes through into 2027', () => {
    expect(calendar.addWorkingDays('2026-12-30', 2)).toBe('2027-01-04');
    expect(calendar.dayInMonth(2027, 1, 5, 'previous')).toBe('2027-01-05');
  });

  it('a loaded notice takes precedence over the statutory calendar and the shipped files', () => {
    const layered = loadHolidayCalendar();
    const notice = { year: 2027, title: 'fixture', number: null, date: '2026-11-10', holidays: [{ name: 'all statutory days', from: '2027-01-01', to: '2027-12-31' }], workdays: [], version: 1 };
    layered.useLoaded([notice, { ...notice, version: 2, holidays: [{ name: "元旦 New Year's Day", from: '2026-01-01', to: '2026-01-03' }], year: 2026 }]);
    expect(layered.basis(2027)).toBe('official:2027-v1');
    expect(layered.basis(2026)).toBe('official:2026-v2');
    expect(layered.isWorkingDay('2027-03-01')).toBe(false);
    expect(layered.isWorkingDay('2026-02-16')).toBe(true); // the loaded 2026 notice has no Spring Festival
    expect(calendar.basis(2027)).toBe('statutory'); // other instances are untouched
  });
});

describe('dates that are no dates', () => {
  it.each(['2026-2-5', '2026-02-30', '20260205', '2026-02-05T00:00', '', '2026-W07'])('%p is not a date', (date) => {
    expect(() => calendar.isWorkingDay(date)).toThrow(CalendarError);
    expect(() => calendar.isWorkingDay(date)).toThrow('is not a calendar date written YYYY-MM-DD');
  });
});

describe('properties', () => {
  /** A date from 2025-01-01 to 2026-06-30, so that 80 working days later is still in 2026. */
  const dateArb = fc.integer({ min: 0, max: 545 }).map((i) => shift('2025-01-01', i));
  const anyDateArb = fc.integer({ min: 0, max: ALL_DATES.length - 1 }).map((i) => ALL_DATES[i]);

  it('workingDaysBetween(d, addWorkingDays(d, n)) === n, the answer is a working day and the first one that reaches n', () => {
    fc.assert(
      fc.property(dateArb, fc.integer({ min: 1, max: 80 }), (d, n) => {
        const end = calendar.addWorkingDays(d, n);
        expect(end > d).toBe(true);
        expect(calendar.isWorkingDay(end)).toBe(true);
        expect(calendar.workingDaysBetween(d, end)).toBe(n);
        expect(calendar.workingDaysBetween(d, shift(end, -1))).toBe(n - 1);
      }),
      { numRuns: 500 },
    );
  });

  it('addWorkingDays composes: (d + a) + b = d + (a + b)', () => {
    fc.assert(
      fc.property(dateArb, fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 40 }), (d, a, b) => {
        expect(calendar.addWorkingDays(calendar.addWorkingDays(d, a), b)).toBe(calendar.addWorkingDays(d, a + b));
      }),
      { numRuns: 300 },
    );
  });

  it('workingDaysBetween is additive over a split point and agrees with a plain count', () => {
    fc.assert(
      fc.property(anyDateArb, anyDateArb, anyDateArb, (x, y, z) => {
        const [a, b, c] = [x, y, z].sort();
        expect(calendar.workingDaysBetween(a, c)).toBe(calendar.workingDaysBetween(a, b) + calendar.workingDaysBetween(b, c));
        const plain = ALL_DATES.filter((d) => d > a && d <= c && calendar.isWorkingDay(d)).length;
        expect(calendar.workingDaysBetween(a, c)).toBe(plain);
        expect(calendar.workingDaysBetween(c, a)).toBe(0); // to ≤ from
      }),
      { numRuns: 200 },
    );
  });

  it('previous/next working day: a working day, no working day in between, the day itself when working', () => {
    fc.assert(
      fc.property(fc.integer({ min: 10, max: ALL_DATES.length - 10 }).map((i) => ALL_DATES[i]), (d) => {
        const previous = calendar.previousWorkingDay(d);
        const next = calendar.nextWorkingDay(d);
        expect(calendar.isWorkingDay(previous) && calendar.isWorkingDay(next)).toBe(true);
        expect(previous <= d && d <= next).toBe(true);
        if (calendar.isWorkingDay(d)) expect([previous, next]).toEqual([d, d]);
        const between = ALL_DATES.filter((x) => ((x > previous && x < d) || (x > d && x < next)) && calendar.isWorkingDay(x));
        expect(between).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});

describe('loading holiday data files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'doudi-holidays-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (file: string, text: string): void => writeFileSync(join(dir, file), text);
  const HEAD_2026 = "year: 2026\ntitle: 国务院办公厅关于2026年部分节假日安排的通知\nnumber: null\ndate: '2025-11-04'\n";
  /** Every statutory day of 2026 but the Spring Festival's, one line each. */
  const STATUTORY_2026 = ['2026-01-01', '2026-04-05', '2026-05-01', '2026-05-02', '2026-06-19', '2026-09-25', '2026-10-01', '2026-10-02', '2026-10-03']
    .map((d) => `  - { name: 法定 ${d}, from: '${d}', to: '${d}' }\n`)
    .join('');
  /** A valid 2026 file, with extra holiday and make-up lines and a replaceable head (year, title, number, date). */
  const file2026 = (extraHoliday = '', extraWorkday = '', top = HEAD_2026): string =>
    `${top}holidays:\n  - { name: 春节, from: '2026-02-15', to: '2026-02-23' }\n${STATUTORY_2026}${extraHoliday}` +
    `workdays:\n  - { date: '2026-02-14', for: 春节 }\n${extraWorkday}`;

  const loadError = (): string => {
    try {
      HolidayCalendar.load(dir);
    } catch (error) {
      expect(error).toBeInstanceOf(CalendarDataError);
      expect(error).toBeInstanceOf(CalendarError);
      return (error as Error).message;
    }
    throw new Error('expected the load to fail');
  };

  it('a valid file loads', () => {
    write('2026.yaml', file2026());
    const loaded = loadHolidayCalendar(dir);
    expect(loaded.years()).toEqual([2026]);
    expect(loaded.isWorkingDay('2026-02-14')).toBe(true);
    expect(loaded.isWorkingDay('2026-02-16')).toBe(false);
    expect(loaded.isWorkingDay('2026-10-05')).toBe(true); // this file has no 国庆
  });

  it('adding a year is a data-only change: with a 2027 file the walk from 2026-12-30 goes through', () => {
    copyFileSync(join(HOLIDAYS_DIR, '2026.yaml'), join(dir, '2026.yaml'));
    // A made-up test fixture, not the real 2027 calendar.
    const statutory2027 = ['2027-01-01', '2027-02-05', '2027-02-06', '2027-02-07', '2027-02-08', '2027-04-05', '2027-05-01', '2027-05-02', '2027-06-09', '2027-09-15', '2027-10-01', '2027-10-02', '2027-10-03'];
    write('2027.yaml', `year: 2027\ntitle: test fixture\ndate: '2026-11-01'\nholidays:\n${statutory2027.map((d) => `  - { name: F${d}, from: '${d}', to: '${d}' }\n`).join('')}workdays:\n  - { date: '2027-01-02', for: F }\n`);
    const loaded = HolidayCalendar.load(dir);
    expect(loaded.years()).toEqual([2026, 2027]);
    expect(loaded.addWorkingDays('2026-12-30', 2)).toBe('2027-01-02'); // 12-31, then Fri 01-01 off, the fixture's make-up Sat 01-02
    expect(loaded.basis(2027)).toBe('official:2027-shipped');
    expect(calendar.years()).toEqual([2025, 2026]); // other instances are untouched
  });

  it.each([
    [
      'a make-up day on a weekday',
      file2026('', "  - { date: '2026-02-25', for: 春节 }\n"),
      "workdays[1] 2026-02-25 is a Wednesday; a make-up working day (调休上班) must be a Saturday or Sunday",
    ],
    [
      'a make-up day on a Friday',
      file2026('', "  - { date: '2026-02-27', for: 春节 }\n"),
      'workdays[1] 2026-02-27 is a Friday; a make-up working day (调休上班) must be a Saturday or Sunday',
    ],
    ['a statutory day missing', file2026().replace("  - { name: 法定 2026-06-19, from: '2026-06-19', to: '2026-06-19' }\n", ''), 'holidays: the statutory day 2026-06-19 of 端午节 Dragon Boat Festival'],
    ['an empty title', file2026('', '', "year: 2026\ntitle: '  '\ndate: '2025-11-04'\n"), 'title must be the title of the State Council notice'],
    ['an impossible notice date', file2026('', '', "year: 2026\ntitle: x\ndate: '2025-13-01'\n"), 'date 2025-13-01 is not a calendar date'],
    ['a holiday date outside its year', file2026("  - { name: 元旦, from: '2025-12-31', to: '2026-01-01' }\n"), 'holidays[10].from 2025-12-31 is outside 2026'],
    ['a make-up date outside its year', file2026('', "  - { date: '2027-01-02', for: 元旦 }\n"), 'workdays[1].date 2027-01-02 is outside 2026'],
    [
      'a day both holiday and make-up working day',
      file2026('', "  - { date: '2026-02-21', for: 春节 }\n"),
      'workdays[1] 2026-02-21 is both a make-up working day and a day of 春节',
    ],
    ['from after to', file2026("  - { name: 国庆节, from: '2026-10-07', to: '2026-10-01' }\n"), 'holidays[10] (国庆节) runs from 2026-10-07 to an earlier 2026-10-01'],
    ['overlapping holidays', file2026("  - { name: 其他, from: '2026-02-23', to: '2026-02-24' }\n"), 'holidays[10] (其他): 2026-02-23 is already a day of 春节'],
    ['a duplicate make-up day', file2026('', "  - { date: '2026-02-14', for: 春节 }\n"), 'workdays[1] 2026-02-14 is listed twice'],
    ['an impossible date', file2026("  - { name: 假, from: '2026-02-30', to: '2026-02-30' }\n"), 'holidays[10].from 2026-02-30 is not a calendar date'],
    ['a date not quoted as YYYY-MM-DD', file2026("  - { name: 假, from: 2026/03/02, to: '2026-03-02' }\n"), "holidays[10].from must be a date written 'YYYY-MM-DD'"],
    ['a year not matching the file name', file2026('', '', "year: 2025\ntitle: x\ndate: '2025-11-04'\n"), 'year is 2025 but the file is named 2026.yaml'],
    ['a missing title', file2026('', '', "year: 2026\ndate: '2025-11-04'\n"), 'title must be the title of the State Council notice'],
    ['an unknown key', file2026('', '', "year: 2026\ntitle: x\ndate: '2025-11-04'\nworkday: []\n"), 'top level: unknown key "workday"'],
    ['a missing name', file2026("  - { from: '2026-03-02', to: '2026-03-02' }\n"), 'holidays[10].name must be a non-empty text'],
    ['missing workdays', "year: 2026\ntitle: x\ndate: '2025-11-04'\nholidays:\n  - { name: 春节, from: '2026-02-15', to: '2026-02-23' }\n", 'workdays must be a list'],
    ['no holidays', "year: 2026\ntitle: x\ndate: '2025-11-04'\nholidays: []\nworkdays: []\n", 'holidays must be a non-empty list'],
    ['not YAML', 'year: 2026\n  source: [unclosed\n', 'not valid YAML'],
    ['not a mapping', '- 2026\n', 'must be a mapping with year, title, number, date, holidays and workdays'],
  ])('%s is a load error naming the file', (_, text, problem) => {
    write('2026.yaml', text);
    const message = loadError();
    expect(message).toContain(`Invalid holiday calendar in ${dir}`);
    expect(message).toContain(`2026.yaml: ${problem}`);
  });

  it('lists every problem of every file', () => {
    write('2025.yaml', "year: 2025\ntitle: x\ndate: '2024-11-12'\nholidays:\n  - { name: 元旦, from: '2025-01-01', to: '2025-01-01' }\nworkdays:\n  - { date: '2025-01-02', for: 元旦 }\n");
    write('2026.yaml', file2026("  - { name: 元旦, from: '2027-01-01', to: '2027-01-01' }\n"));
    write('holidays-2027.yml', 'year: 2027\n');
    write('README.txt', 'ignored');
    const message = loadError();
    expect(message).toContain('2025.yaml: workdays[0] 2025-01-02 is a Thursday');
    expect(message).toContain('2026.yaml: holidays[10].from 2027-01-01 is outside 2026');
    expect(message).toContain('holidays-2027.yml: a holiday data file must be named <year>.yaml');
    expect(message).not.toContain('README');
  });

  it('an empty folder is a load error', () => {
    expect(loadError()).toContain('no <year>.yaml holiday data files');
  });

  it('a missing folder is a load error', () => {
    expect(() => HolidayCalendar.load(join(dir, 'missing'))).toThrow(CalendarDataError);
  });
});
