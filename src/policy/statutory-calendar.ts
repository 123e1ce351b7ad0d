import { LunarDay, SolarTerm } from 'tyme4ts';

/**
 * The statutory public holidays (法定节假日) of a year, derived from 《全国年节及纪念日放假办法》 as amended by the State
 * Council on 2024-11-10 (国务院令第795号, in force 2025-01-01), article 2: 元旦 1 day (1 January); 春节 4 days (除夕 and
 * 正月初一至初三); 清明节 1 day (the solar-term day); 劳动节 2 days (1–2 May); 端午节 1 day (五月初五); 中秋节 1 day
 * (八月十五); 国庆节 3 days (1–3 October).
 *
 * It is the calendar of last resort: it holds until the State Council's notice for the year (which adds bridge days and
 * make-up working days, 调休) is shipped or loaded. Lunar dates and solar terms come from tyme4ts, never a table here.
 */
export const STATUTORY_RULE = '《全国年节及纪念日放假办法》（2024年修订，国务院令第795号）第二条';
/** The amended rule is in force from this year; earlier years have no statutory calendar here. */
export const STATUTORY_FROM_YEAR = 2025;
/** tyme4ts computes lunar dates far beyond this; the bound only keeps a runaway walk from looping for ever. */
export const STATUTORY_TO_YEAR = 2200;

export interface StatutoryHoliday {
  /** E.g. `春节 Spring Festival`, as the official notices are named in holidays/<year>.yaml. */
  name: string;
  /** Every statutory day off of this festival, `YYYY-MM-DD`, ascending. */
  dates: string[];
}

/** The statutory holidays of `year` (Gregorian), in calendar order. */
export function statutoryHolidays(year: number): StatutoryHoliday[] {
  if (!Number.isInteger(year) || year < STATUTORY_FROM_YEAR || year > STATUTORY_TO_YEAR) {
    throw new RangeError(`The statutory calendar covers ${STATUTORY_FROM_YEAR}–${STATUTORY_TO_YEAR}, not ${year}`);
  }
  const lunar = (month: number, day: number) => iso(LunarDay.fromYmd(year, month, day).getSolarDay());
  const springFestival = LunarDay.fromYmd(year, 1, 1).getSolarDay();
  // 除夕 is the last day of the twelfth lunar month (the 29th or the 30th): always the day before 正月初一.
  const springDays = [-1, 0, 1, 2].map((offset) => iso(springFestival.next(offset)));
  const qingming = iso(SolarTerm.fromName(year, '清明').getJulianDay().getSolarDay());
  const holidays: StatutoryHoliday[] = [
    { name: "元旦 New Year's Day", dates: [`${year}-01-01`] },
    { name: '春节 Spring Festival', dates: springDays },
    { name: '清明节 Qingming Festival', dates: [qingming] },
    { name: '劳动节 Labour Day', dates: [`${year}-05-01`, `${year}-05-02`] },
    { name: '端午节 Dragon Boat Festival', dates: [lunar(5, 5)] },
    { name: '中秋节 Mid-Autumn Festival', dates: [lunar(8, 15)] },
    { name: '国庆节 National Day', dates: [`${year}-10-01`, `${year}-10-02`, `${year}-10-03`] },
  ];
  return holidays.sort((a, b) => a.dates[0]!.localeCompare(b.dates[0]!));
}

function iso(day: { getYear(): number; getMonth(): number; getDay(): number }): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${day.getYear()}-${pad(day.getMonth())}-${pad(day.getDay())}`;
}
