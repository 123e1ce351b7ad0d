import { loadHolidayCalendar } from './holiday-calendar';
import { statutoryHolidays } from './statutory-calendar';

const dates = (year: number) => statutoryHolidays(year).flatMap((h) => h.dates);

describe('statutory calendar (《全国年节及纪念日放假办法》 2024, in force 2025-01-01)', () => {
  it.each([2025, 2026])('every statutory day of %i lies inside a holiday period of the official notice', (year) => {
    const official = loadHolidayCalendar().year(year);
    expect(official.source).toBe('shipped');
    const outside = dates(year).filter((date) => !official.holidays.some((p) => p.from <= date && date <= p.to));
    expect(outside).toEqual([]);
    expect(dates(year)).toHaveLength(13); // 1 + 4 + 1 + 2 + 1 + 1 + 3
  });

  it.each([
    // Written out from published lunar calendars, not from the library.
    [2025, ['2025-01-01', '2025-01-28', '2025-01-29', '2025-01-30', '2025-01-31', '2025-04-04', '2025-05-01', '2025-05-02', '2025-05-31', '2025-10-01', '2025-10-02', '2025-10-03', '2025-10-06']],
    [2026, ['2026-01-01', '2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-04-05', '2026-05-01', '2026-05-02', '2026-06-19', '2026-09-25', '2026-10-01', '2026-10-02', '2026-10-03']],
    // 2027: 除夕 02-05, 春节 02-06, 清明 04-05, 端午 06-09, 中秋 09-15.
    [2027, ['2027-01-01', '2027-02-05', '2027-02-06', '2027-02-07', '2027-02-08', '2027-04-05', '2027-05-01', '2027-05-02', '2027-06-09', '2027-09-15', '2027-10-01', '2027-10-02', '2027-10-03']],
    // 2028: 除夕 01-25, 清明 04-04, 端午 05-28, 中秋 10-03 falls on a National Day.
    [2028, ['2028-01-01', '2028-01-25', '2028-01-26', '2028-01-27', '2028-01-28', '2028-04-04', '2028-05-01', '2028-05-02', '2028-05-28', '2028-10-01', '2028-10-02', '2028-10-03', '2028-10-03']],
  ])('%i', (year, expected) => {
    expect([...dates(year)].sort()).toEqual([...expected].sort());
  });

  it('names each holiday in Chinese and English', () => {
    expect(statutoryHolidays(2027).map((h) => h.name)).toEqual([
      "元旦 New Year's Day", '春节 Spring Festival', '清明节 Qingming Festival', '劳动节 Labour Day', '端午节 Dragon Boat Festival', '中秋节 Mid-Autumn Festival', '国庆节 National Day',
    ]);
  });

  it('a 中秋 on a National Day is one day off, named for both', () => {
    const calendar = loadHolidayCalendar();
    expect(calendar.year(2028).holidays).toContainEqual({ name: '国庆节 National Day、中秋节 Mid-Autumn Festival', from: '2028-10-03', to: '2028-10-03' });
    expect(calendar.isWorkingDay('2028-10-04')).toBe(true);
  });

  it.each([2024, 2025.5, 2201])('there is no statutory calendar for %p', (year) => {
    expect(() => statutoryHolidays(year)).toThrow(RangeError);
  });
});
