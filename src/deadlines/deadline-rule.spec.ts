import { loadHolidayCalendar } from '../policy/holiday-calendar';
import { calendarNote, computeDue, timerDues } from './deadline-rule';

const calendar = loadHolidayCalendar();

describe('deadline computations', () => {
  it('working days: the end of the n-th working day, with every year it passed through', () => {
    const due = computeDue(calendar, { kind: 'working-days', days: 30 }, new Date('2026-12-01T02:00:00Z'));
    expect(due.dueAt.toISOString()).toBe('2027-01-13T15:59:59.999Z');
    expect(due.basis).toEqual({ calendar: 'statutory', years: [{ year: 2026, basis: 'official:2026-shipped' }, { year: 2027, basis: 'statutory' }] });
  });

  it('a day of a month moved to the previous working day can reach back into the year before', () => {
    // 2027-01-01 is 元旦 by statute and 2026-12-31 a Thursday.
    const due = computeDue(calendar, { kind: 'day-in-month', month: '2027-01', day: 1, direction: 'previous' }, new Date('2026-12-25T00:00:00Z'));
    expect(due.dueAt.toISOString()).toBe('2026-12-31T15:59:59.999Z');
    expect(due.basis!.years.map((y) => y.year)).toEqual([2026, 2027]);
  });

  it('elapsed hours stand on no calendar', () => {
    expect(computeDue(calendar, { kind: 'hours', hours: 12 }, new Date('2026-12-31T20:00:00Z'))).toEqual({ dueAt: new Date('2027-01-01T08:00:00Z'), basis: null });
  });

  it("each timer with its own count (the procedure's 30 and extended 45 working days)", () => {
    const timers = timerDues(calendar, { kind: 'working-days', days: 30, timers: [{ variable: 'procedureDueAt' }, { variable: 'procedureExtendedDueAt', days: 45 }] }, new Date('2026-12-01T02:00:00Z'));
    expect(timers.map((t) => [t.variable, t.dueAt.toISOString()])).toEqual([
      ['procedureDueAt', '2027-01-13T15:59:59.999Z'],
      ['procedureExtendedDueAt', '2027-02-03T15:59:59.999Z'],
    ]);
  });

  it('says in words which calendar a deadline stood on', () => {
    expect(calendarNote([{ year: 2026, basis: 'official:2026-shipped' }, { year: 2027, basis: 'statutory' }])).toBe(
      '暂按法定节假日计算，2027年放假安排尚未载入 provisional — statutory calendar, the 2027 notice is not loaded',
    );
    expect(calendarNote([{ year: 2027, basis: 'official:2027-v2' }])).toBe('按国务院放假安排计算（2027-v2）official calendar (2027-v2)');
    expect(calendarNote(null)).toBeNull();
  });
});
