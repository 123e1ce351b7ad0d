import { DateTime } from 'luxon';
import { CALENDAR_ZONE, type CalendarBasis, type HolidayCalendar } from '../policy/holiday-calendar';

/** A process variable a timer waits on, moved with the deadline (the `deadline.moved` message of each model). */
export interface DeadlineTimer {
  variable: string;
  /** For a working-days rule: the timer's own count when it differs from the deadline's (e.g. the extended limit). */
  days?: number;
}

/**
 * How a deadline's due instant follows from its start, kept on the row so it can be computed again when the calendar
 * under it changes (a notice loaded for a year it passed through under the statutory calendar).
 */
export type DeadlineComputation =
  /** The end of the n-th working day after the start's day (民法典 §201: the starting day does not count). */
  | { kind: 'working-days'; days: number; timers?: DeadlineTimer[] }
  /** The end of a day of a month, moved to the previous / next working day (the payment calendar). */
  | { kind: 'day-in-month'; month: string; day: number; direction: 'previous' | 'next'; timers?: DeadlineTimer[] }
  /** Elapsed hours, round the clock: no calendar. */
  | { kind: 'hours'; hours: number; timers?: DeadlineTimer[] };

export interface ComputedDue {
  dueAt: Date;
  /** Null for elapsed-time rules, which stand on no calendar. */
  basis: CalendarBasis | null;
}

/** The due instant of a computation started at `startedAt`, and the calendars it passed through. */
export function computeDue(calendar: HolidayCalendar, computation: DeadlineComputation, startedAt: Date, days = workingDaysOf(computation)): ComputedDue {
  switch (computation.kind) {
    case 'working-days': {
      const dueAt = calendar.deadlineAfterWorkingDays(startedAt, days!);
      return { dueAt, basis: calendar.basisBetween(startedAt, dueAt) };
    }
    case 'day-in-month': {
      const [year, month] = computation.month.split('-').map(Number) as [number, number];
      const date = calendar.dayInMonth(year, month, computation.day, computation.direction);
      const dueAt = DateTime.fromISO(date, { zone: CALENDAR_ZONE }).endOf('day').toUTC().toJSDate();
      return { dueAt, basis: calendar.basisBetween(date, `${computation.month}-${String(computation.day).padStart(2, '0')}`) };
    }
    case 'hours':
      return { dueAt: calendar.deadlineAfterHours(startedAt, computation.hours), basis: null };
  }
}

/** Each timer of the computation with its due instant. */
export function timerDues(calendar: HolidayCalendar, computation: DeadlineComputation, startedAt: Date): { variable: string; dueAt: Date }[] {
  return (computation.timers ?? []).map((timer) => ({ variable: timer.variable, dueAt: computeDue(calendar, computation, startedAt, timer.days ?? workingDaysOf(computation)).dueAt }));
}

function workingDaysOf(computation: DeadlineComputation): number | undefined {
  return computation.kind === 'working-days' ? computation.days : undefined;
}

/** What a supervisor reads beside a deadline: e.g. "provisional — statutory calendar, the 2027 notice is not loaded". */
export function calendarNote(years: CalendarBasis['years'] | null): string | null {
  if (!years?.length) return null;
  const statutory = years.filter((y) => y.basis === 'statutory').map((y) => y.year);
  if (!statutory.length) {
    const versions = years.map((y) => y.basis.slice('official:'.length));
    return `按国务院放假安排计算（${versions.join('、')}）official calendar (${versions.join(', ')})`;
  }
  return `暂按法定节假日计算，${statutory.join('、')}年放假安排尚未载入 provisional — statutory calendar, the ${statutory.join(', ')} notice${statutory.length > 1 ? 's are' : ' is'} not loaded`;
}
