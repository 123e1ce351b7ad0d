import fc from 'fast-check';
import { checkPaidOnce, historyOf, purePayroll, simulate } from '../../test/support/arrears-model';
import { linesDue } from './arrears';

describe('arrears rule (issue 16, 补发)', () => {
  const enrolment = { fromMonth: '2026-08-01', untilMonth: null, amountFor: (m: string) => (m < '2026-10-01' ? 50000 : 60000) };

  it('pays a month its own cycle missed as arrears, and the cycle month as benefit', () => {
    expect(linesDue(enrolment, [], '2026-09-01')).toEqual([
      { month: '2026-08-01', attempt: 1, amountFen: 50000, kind: 'arrears' },
      { month: '2026-09-01', attempt: 1, amountFen: 50000, kind: 'benefit' },
    ]);
  });

  it('pays a failed or returned month again as its next attempt, a pending or paid one not, and an increase as the difference', () => {
    const lines = [
      { month: '2026-08-01', attempt: 1, amountFen: 50000, status: 'failed' as const },
      { month: '2026-09-01', attempt: 1, amountFen: 50000, status: 'issued' as const },
      { month: '2026-10-01', attempt: 1, amountFen: 50000, status: 'paid' as const },
    ];
    expect(linesDue(enrolment, lines, '2026-11-01')).toEqual([
      { month: '2026-08-01', attempt: 2, amountFen: 50000, kind: 'arrears' },
      { month: '2026-10-01', attempt: 2, amountFen: 10000, kind: 'arrears' },
      { month: '2026-11-01', attempt: 1, amountFen: 60000, kind: 'benefit' },
    ]);
    expect(linesDue({ ...enrolment, untilMonth: '2026-09-01' }, [], '2026-11-01').map((l) => l.month)).toEqual(['2026-08-01']);
  });

  it('property: over 500 generated histories each enrolled month is paid exactly once, at its amount', async () => {
    await fc.assert(
      fc.asyncProperty(historyOf(true), async (history) => checkPaidOnce(history, await simulate(history, purePayroll()))),
      { numRuns: 600 },
    );
  });

  it('the property can fail: paying only the cycle month (the rule before arrears) loses months', async () => {
    const ownMonthOnly: typeof linesDue = (e, lines, month) => linesDue(e, lines, month).filter((l) => l.kind === 'benefit');
    await expect(fc.assert(fc.asyncProperty(historyOf(true), async (history) => checkPaidOnce(history, await simulate(history, purePayroll(ownMonthOnly)))), { numRuns: 600 })).rejects.toThrow(/Property failed/);
  });
});
