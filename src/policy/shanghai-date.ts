import { DateTime } from 'luxon';

/** The calendar date (YYYY-MM-DD) of an instant in Asia/Shanghai, the calendar every deadline is counted in. */
export function shanghaiDate(instant: Date): string {
  return DateTime.fromJSDate(instant, { zone: 'Asia/Shanghai' }).toISODate()!;
}

/** The first day (YYYY-MM-01) of the month after an instant's month in Asia/Shanghai: the first month a decision taken then can pay. */
export function firstMonthAfter(instant: Date): string {
  return DateTime.fromJSDate(instant, { zone: 'Asia/Shanghai' }).plus({ months: 1 }).startOf('month').toISODate()!;
}
