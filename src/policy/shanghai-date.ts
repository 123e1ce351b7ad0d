import { DateTime } from 'luxon';

/** The calendar date (YYYY-MM-DD) of an instant in Asia/Shanghai, the calendar every deadline is counted in. */
export function shanghaiDate(instant: Date): string {
  return DateTime.fromJSDate(instant, { zone: 'Asia/Shanghai' }).toISODate()!;
}
