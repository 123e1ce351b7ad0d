import { assessedMoney, verifiedFactsFrom } from './verified-facts';

describe('verified facts', () => {
  const declared = {
    incomes: [
      { memberId: 'm1', category: 'wages' as const, monthlyFen: 30_000 },
      { memberId: 'm2', category: 'support' as const, monthlyFen: 10_000, payer: { relation: 'sibling' as const, age: 50 } },
    ],
    expenditures: [],
    assets: { financialFen: 100_000 },
  };

  it('reads the form in yuan as fen, keeping only complete items', () => {
    const facts = verifiedFactsFrom({
      investigators: ' 王五、赵六 ',
      homeVisitFindings: '院内停放货车一辆',
      verifiedIncomes: [{ memberId: 'm1', category: 'business', monthlyYuan: 1500.05 }, { memberId: 'm1', category: 'lottery', monthlyYuan: 5 }, { memberId: 'm1' }],
      verifiedFinancialAssetsYuan: 0,
    });
    expect(facts).toEqual({ investigators: '王五、赵六', homeVisitFindings: '院内停放货车一辆', incomes: [{ memberId: 'm1', category: 'business', monthlyFen: 150_005, source: 'verified' }], financialFen: 0 });
    expect(verifiedFactsFrom({}).financialFen).toBeNull();
  });

  it('takes a verified figure over the declared one of its member and category, adds an undeclared one, keeps the rest as declared', () => {
    const verified = { investigators: null, homeVisitFindings: null, financialFen: null, incomes: [
      { memberId: 'm1', category: 'wages' as const, monthlyFen: 50_000, source: 'verified' as const },
      { memberId: 'm1', category: 'business' as const, monthlyFen: 150_000, source: 'verified' as const },
      { memberId: 'm2', category: 'support' as const, monthlyFen: 12_000, source: 'verified' as const },
      { memberId: 'm9', category: 'other' as const, monthlyFen: 1, source: 'verified' as const },
    ] };
    expect(assessedMoney(declared, verified, ['m1', 'm2'])).toEqual({
      incomes: [
        { memberId: 'm1', category: 'wages', monthlyFen: 50_000, source: 'verified' },
        { memberId: 'm1', category: 'business', monthlyFen: 150_000, source: 'verified' },
        { memberId: 'm2', category: 'support', monthlyFen: 12_000, source: 'verified', payer: { relation: 'sibling', age: 50 } },
      ],
      expenditures: [],
      assets: { financialFen: 100_000, source: 'declared' },
    });
    expect(assessedMoney(declared, undefined, ['m1', 'm2']).incomes.every((i) => i.source === 'declared')).toBe(true);
    expect(assessedMoney(declared, { ...verified, incomes: [], financialFen: 0 }, ['m1']).assets).toEqual({ financialFen: 0, source: 'verified' });
  });
});
