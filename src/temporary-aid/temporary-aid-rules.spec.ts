import fc from 'fast-check';
import { approvalTier, instalments, tableAmountFen, unemployedAidProblems } from './temporary-aid-rules';

const limits = { rescueFirstLimitFen: 100_000, townshipApprovalLimitFen: 300_000, countyApprovalCapFen: 1_000_000 };

describe('approvalTier: each limit belongs to the lower tier, one fen more goes up', () => {
  it.each([
    [100_000, true, 'rescue-first'],
    [100_001, true, 'township'],
    [100_000, false, 'township'],
    [1, false, 'township'],
    [300_000, false, 'township'],
    [300_001, false, 'county'],
    [1_000_000, false, 'county'],
    [1_000_001, false, 'joint-meeting'],
    [1_000_001, true, 'joint-meeting'],
  ] as const)('%i fen, urgent %s → %s', (amount, urgent, tier) => {
    expect(approvalTier(amount, urgent, limits)).toBe(tier);
  });

  it('refuses a zero, negative or fractional amount', () => {
    for (const amount of [0, -1, 1.5, Number.NaN]) expect(() => approvalTier(amount, false, limits)).toThrow(RangeError);
  });

  it('never lowers the tier when the amount grows', () => {
    const order = ['rescue-first', 'township', 'county', 'joint-meeting'];
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5_000_000 }), fc.integer({ min: 0, max: 5_000_000 }), fc.boolean(), (a, more, urgent) => {
        expect(order.indexOf(approvalTier(a + more, urgent, limits))).toBeGreaterThanOrEqual(order.indexOf(approvalTier(a, urgent, limits)));
      }),
    );
  });
});

describe('tableAmountFen', () => {
  const parameters = {
    temporaryAidAmounts: [
      { type: 'emergency' as const, severity: 'serious' as const, multipleOfStandardPercent: 300 },
      { type: 'expenditure' as const, severity: 'general' as const, multipleOfStandardPercent: 150 },
    ],
    unemployedAid: { monthsWithoutIncome: 3, multipleOfStandardPercent: 100 },
  };

  it('multiplies the monthly standard by the row of type and severity, rounded to the fen', () => {
    expect(tableAmountFen(parameters, 'emergency', 'serious', 61_000)).toBe(183_000);
    expect(tableAmountFen(parameters, 'expenditure', 'general', 61_001)).toBe(91_502);
    expect(tableAmountFen(parameters, 'unemployed', 'major', 61_000)).toBe(61_000);
  });

  it('names a missing row', () => {
    expect(() => tableAmountFen(parameters, 'expenditure', 'major', 61_000)).toThrow('expenditure / major');
  });
});

describe('unemployedAidProblems (seeds 000, 001)', () => {
  const parameters = { unemployedAid: { monthsWithoutIncome: 3, multipleOfStandardPercent: 100 } };

  it('qualifies after 3 months without income, with no savings and no unemployment insurance', () => {
    expect(unemployedAidProblems({ monthsWithoutIncome: 3, hasSavings: false, unemploymentInsured: false }, parameters)).toEqual([]);
  });

  it('gives every reason it does not', () => {
    expect(unemployedAidProblems({ monthsWithoutIncome: 2, hasSavings: true, unemploymentInsured: true }, parameters)).toHaveLength(3);
    expect(unemployedAidProblems(null, parameters)).toHaveLength(1);
  });
});

describe('instalments', () => {
  it('adds up to the amount exactly, the remainder on the last month', () => {
    expect(instalments(100_000, 3, 6)).toEqual([33_333, 33_333, 33_334]);
    fc.assert(
      fc.property(fc.integer({ min: 6, max: 10_000_000 }), fc.integer({ min: 1, max: 6 }), (amount, months) => {
        const parts = instalments(amount, months, 6);
        expect(parts.reduce((a, b) => a + b, 0)).toBe(amount);
        expect(parts).toHaveLength(months);
        expect(Math.min(...parts)).toBeGreaterThan(0);
      }),
    );
  });

  it('refuses more months than the profile allows, or than there are fen', () => {
    expect(() => instalments(100_000, 7, 6)).toThrow('1 to 6');
    expect(() => instalments(1, 2, 6)).toThrow('cannot be split');
  });
});
