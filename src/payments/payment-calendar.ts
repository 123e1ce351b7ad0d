import { DateTime } from 'luxon';
import type { HolidayCalendar } from '../policy/holiday-calendar';
import type { PolicyParameters } from '../policy/parameters';

export interface CycleDeadline {
  /** The calendar day (Asia/Shanghai), after moving off holidays and weekends. */
  date: string;
  /** The end of that day, Asia/Shanghai, as a UTC instant: the deadline itself. */
  dueAt: Date;
}

export interface CycleCalendar {
  month: string;
  /** Civil affairs has entered the payroll into the one-card system (seed 004: by the 5th). */
  dataBy: CycleDeadline;
  /** Finance has transferred the funds to the paying bank (by the 8th). */
  fundsBy: CycleDeadline;
  /** The bank has credited the accounts (by the 10th). */
  creditedBy: CycleDeadline;
}

/**
 * A month's payment deadlines from the profile's calendar (Jiaozuo, seed 004: the 5th, 8th and 10th; "逢国家法定节假日
 * 可提前发放"): a day that is not a working day moves to the previous working day (or the next, if the profile says
 * so), holidays and make-up working days (调休) counted. The move may cross into the month before.
 */
export function cycleCalendar(calendar: HolidayCalendar, rule: PolicyParameters['paymentCalendar'], month: string): CycleCalendar {
  const [year, monthNumber] = month.split('-').map(Number) as [number, number];
  const deadline = (day: number): CycleDeadline => {
    const date = calendar.dayInMonth(year, monthNumber, day, rule.holidayDirection);
    return { date, dueAt: DateTime.fromISO(date, { zone: 'Asia/Shanghai' }).endOf('day').toUTC().toJSDate() };
  };
  return { month, dataBy: deadline(rule.dataByDay), fundsBy: deadline(rule.fundsByDay), creditedBy: deadline(rule.creditedByDay) };
}
