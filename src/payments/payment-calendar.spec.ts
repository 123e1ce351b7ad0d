import { HolidayCalendar } from '../policy/holiday-calendar';
import { PolicyProfiles } from '../policy/policy-profiles';
import { cycleCalendar } from './payment-calendar';

const calendar = HolidayCalendar.load();
// Jiaozuo (seed 004): data by the 5th, funds by the 8th, credited by the 10th, earlier on holidays.
const jiaozuo = PolicyProfiles.load().inForce('jiaozuo', '2026-07-01').parameters.paymentCalendar.value;
const dates = (month: string) => {
  const c = cycleCalendar(calendar, jiaozuo, month);
  return [c.dataBy.date, c.fundsBy.date, c.creditedBy.date];
};

describe('cycleCalendar (Jiaozuo: the 5th, 8th and 10th, moved to the previous working day)', () => {
  it('keeps working days as they are', () => {
    expect(dates('2026-09')).toEqual(['2026-09-04', '2026-09-08', '2026-09-10']); // the 5th is a Saturday
    expect(dates('2026-12')).toEqual(['2026-12-04', '2026-12-08', '2026-12-10']);
  });

  it('National Day 2026: the 5th falls in the holiday and moves back into September; the 10th is a make-up Saturday and stays', () => {
    expect(dates('2026-10')).toEqual(['2026-09-30', '2026-10-08', '2026-10-10']);
  });

  it('Labour Day 2026: the 5th moves to 30 April; the Sunday 10th moves to the make-up Saturday 9 May', () => {
    expect(dates('2026-05')).toEqual(['2026-04-30', '2026-05-08', '2026-05-09']);
  });

  it('Spring Festival 2025: the 5th is the first working day after the holiday; the 8th is a make-up Saturday', () => {
    expect(dates('2025-02')).toEqual(['2025-02-05', '2025-02-08', '2025-02-10']);
  });

  it('Spring Festival 2026 ends on the 23rd: February keeps the 5th, and the Sunday 8th moves to Friday the 6th', () => {
    expect(dates('2026-02')).toEqual(['2026-02-05', '2026-02-06', '2026-02-10']);
  });

  it('each deadline ends at midnight in Shanghai', () => {
    const c = cycleCalendar(calendar, jiaozuo, '2026-10');
    expect(c.dataBy.dueAt.toISOString()).toBe('2026-09-30T15:59:59.999Z');
    expect(c.creditedBy.dueAt.toISOString()).toBe('2026-10-10T15:59:59.999Z');
  });
});
