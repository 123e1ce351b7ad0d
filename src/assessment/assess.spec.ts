import fc from 'fast-check';
import { TEST_PARAMETERS } from '../../test/support/policy';
import type { PolicyParameters } from '../policy/parameters';
import { type AssessmentProfile, type AssessmentResult, assess, AssessmentInputError, roundFen } from './assess';
import type { AssessmentInput, Disability, Expenditure, Income, Member } from './household';

/**
 * Every assessment parameter is set here (not taken from the shared test values) so the exact numbers below stay
 * true: rural standard ¥600, urban ¥800, marginal line 150%, low-income line 200%, assets 24 months.
 */
const PARAMETERS: PolicyParameters = {
  ...TEST_PARAMETERS,
  dibaoStandardUrbanFen: 80_000,
  dibaoStandardRuralFen: 60_000,
  marginalMultiplePercent: 150,
  lowIncomeMultiplePercent: 200,
  financialAssetsLimitMonths: 24,
  employmentCostDeduction: { basis: 'income', percent: 30, capFen: null },
  rigidExpenditureDeduction: [
    { category: 'illness', fromFen: 0, toFen: 50_000, percent: 50 },
    { category: 'illness', fromFen: 50_000, toFen: 100_000, percent: 70 },
    { category: 'illness', fromFen: 100_000, toFen: null, percent: 90 },
    { category: 'disability', fromFen: 0, toFen: null, percent: 50 },
  ],
  basicPensionExcluded: true,
  disabledAdultSupportExempt: true,
  singlePersonHousehold: { enabled: true, disabilityGrades: [1, 2], intellectualOrMentalGrade3: true, seriousIllness: true },
  benefit: { method: 'gap', bands: [], roundTo: 'fen', rounding: 'half-up', minimumFen: 0 },
};

/** A full resolved profile version; each parameter cites its own (distinct) source. */
function testProfile(overrides: Partial<PolicyParameters> = {}): AssessmentProfile {
  const values: PolicyParameters = { ...PARAMETERS, ...overrides };
  const parameters = Object.fromEntries(
    Object.entries(values).map(([name, value]) => [name, { value, source: { document: `doc-${name}.txt`, passage: `passage fixing ${name}` }, inherited: false }]),
  );
  return { profileId: 'test-county', versionId: 'test-county-2026', parameters } as AssessmentProfile;
}

const member = (id: string, extra: Partial<Member> = {}): Member => ({
  id,
  age: 40,
  relation: 'applicant',
  seriousIllness: false,
  inSchool: false,
  employed: false,
  ...extra,
});

/** Income not touched by any exclusion or deduction. */
const other = (memberId: string, monthlyFen: number): Income => ({ memberId, category: 'other', monthlyFen });

function household(extra: Partial<AssessmentInput> = {}): AssessmentInput {
  return { area: 'rural', members: [member('m1')], incomes: [], expenditures: [], assets: { financialFen: 0 }, ...extra };
}

/** `size` members m1..mn; all income on m1. */
function householdWithIncome(size: number, countableFen: number, area: 'urban' | 'rural' = 'rural'): AssessmentInput {
  const members = Array.from({ length: size }, (_, i) => member(`m${i + 1}`));
  return household({ area, members, incomes: [other('m1', countableFen)] });
}

const run = (input: AssessmentInput, overrides: Partial<PolicyParameters> = {}) => assess(input, testProfile(overrides));

describe('assess: the standard (strictly below is eligible)', () => {
  it.each`
    area       | size | countable | outcome      | perCapita | benefit
    ${'rural'} | ${1} | ${59_999} | ${'eligible'}  | ${59_999} | ${1}
    ${'rural'} | ${1} | ${60_000} | ${'marginal'}  | ${60_000} | ${0}
    ${'rural'} | ${1} | ${60_001} | ${'marginal'}  | ${60_001} | ${0}
    ${'rural'} | ${1} | ${0}      | ${'eligible'}  | ${0}      | ${60_000}
    ${'rural'} | ${2} | ${119_999} | ${'eligible'} | ${59_999} | ${1}
    ${'rural'} | ${2} | ${120_000} | ${'marginal'} | ${60_000} | ${0}
    ${'rural'} | ${2} | ${120_001} | ${'marginal'} | ${60_000} | ${0}
    ${'urban'} | ${3} | ${239_999} | ${'eligible'} | ${79_999} | ${1}
    ${'urban'} | ${3} | ${240_000} | ${'marginal'} | ${80_000} | ${0}
    ${'urban'} | ${3} | ${240_001} | ${'marginal'} | ${80_000} | ${0}
    ${'urban'} | ${3} | ${100_000} | ${'eligible'} | ${33_333} | ${140_000}
  `('$area, $size member(s), countable $countable → $outcome, per-capita $perCapita, benefit $benefit', ({ area, size, countable, outcome, perCapita, benefit }) => {
    const result = run(householdWithIncome(size, countable, area));
    expect(result).toMatchObject({
      outcome,
      householdSize: size,
      countableIncomeFen: countable,
      perCapitaIncomeFen: perCapita,
      standardFen: area === 'urban' ? 80_000 : 60_000,
      benefitFen: benefit,
      profileId: 'test-county',
      versionId: 'test-county-2026',
    });
  });

  it('says why in the reasons and cites the applicable standard', () => {
    const result = run(householdWithIncome(1, 60_000, 'urban'));
    expect(result.outcome).toBe('eligible');
    const notEligible = run(householdWithIncome(1, 80_000, 'urban'));
    expect(notEligible.reasons[0]).toContain('not below the standard');
    const comparison = notEligible.steps.filter((s) => s.rule === 'dibaoStandardUrbanFen');
    expect(comparison).toHaveLength(2);
    expect(comparison[1]!.source).toEqual({ document: 'doc-dibaoStandardUrbanFen.txt', passage: 'passage fixing dibaoStandardUrbanFen' });
    expect(notEligible.steps.some((s) => s.rule === 'dibaoStandardRuralFen')).toBe(false);
  });
});

describe('assess: the marginal line (exact comparison, rounded-down per-capita reported)', () => {
  it.each`
    standard  | size | countable  | outcome           | lowIncomeReason
    ${60_000} | ${1} | ${89_999}  | ${'marginal'}     | ${true}
    ${60_000} | ${1} | ${90_000}  | ${'not-eligible'} | ${true}
    ${60_000} | ${1} | ${119_999} | ${'not-eligible'} | ${true}
    ${60_000} | ${1} | ${120_000} | ${'not-eligible'} | ${false}
    ${60_001} | ${1} | ${90_001}  | ${'marginal'}     | ${true}
    ${60_001} | ${1} | ${90_002}  | ${'not-eligible'} | ${true}
    ${60_001} | ${2} | ${180_002} | ${'marginal'}     | ${true}
    ${60_001} | ${2} | ${180_003} | ${'not-eligible'} | ${true}
  `('standard $standard, $size member(s), countable $countable → $outcome', ({ standard, size, countable, outcome, lowIncomeReason }) => {
    const result = run(householdWithIncome(size, countable), { dibaoStandardRuralFen: standard });
    expect(result.outcome).toBe(outcome);
    expect(result.benefitFen).toBe(0);
    expect(result.reasons.some((r) => r.includes('low-income household'))).toBe(lowIncomeReason);
    const marginalStep = result.steps.find((s) => s.rule === 'marginalMultiplePercent')!;
    expect(marginalStep.source!.document).toBe('doc-marginalMultiplePercent.txt');
  });

  it('shows a line with fractions of a fen exactly', () => {
    const result = run(householdWithIncome(1, 90_001), { dibaoStandardRuralFen: 60_001 });
    expect(result.steps.find((s) => s.rule === 'marginalMultiplePercent')!.description).toContain('¥900.015');
  });
});

describe('assess: employment-cost deduction', () => {
  const wages = (memberId: string, monthlyFen: number): Income => ({ memberId, category: 'wages', monthlyFen });
  const business = (memberId: string, monthlyFen: number): Income => ({ memberId, category: 'business', monthlyFen });
  const employed = (id: string) => member(id, { employed: true });

  it.each`
    case                                           | area       | basis         | percent | capFen    | members                          | incomes                                        | deduction | capped
    ${'income basis: 30% of wages'}                | ${'rural'} | ${'income'}   | ${30}   | ${null}   | ${[employed('m1')]}              | ${[wages('m1', 100_000)]}                      | ${30_000} | ${false}
    ${'income basis: 30.3 fen rounded down'}       | ${'rural'} | ${'income'}   | ${30}   | ${null}   | ${[employed('m1')]}              | ${[wages('m1', 100_001)]}                      | ${30_000} | ${false}
    ${'income basis: 9999.9 rounded down'}         | ${'rural'} | ${'income'}   | ${30}   | ${null}   | ${[employed('m1')]}              | ${[wages('m1', 33_333)]}                       | ${9_999}  | ${false}
    ${'income basis: wages and business'}          | ${'rural'} | ${'income'}   | ${30}   | ${null}   | ${[employed('m1')]}              | ${[wages('m1', 40_000), business('m1', 60_000)]} | ${30_000} | ${false}
    ${'income basis: exactly at the cap'}          | ${'rural'} | ${'income'}   | ${30}   | ${30_000} | ${[employed('m1')]}              | ${[wages('m1', 100_000)]}                      | ${30_000} | ${false}
    ${'income basis: one fen over the cap'}        | ${'rural'} | ${'income'}   | ${30}   | ${30_000} | ${[employed('m1')]}              | ${[wages('m1', 100_004)]}                      | ${30_000} | ${true}
    ${'income basis: cap per household'}           | ${'rural'} | ${'income'}   | ${30}   | ${40_000} | ${[employed('m1'), employed('m2')]} | ${[wages('m1', 100_000), wages('m2', 100_000)]} | ${40_000} | ${true}
    ${'income basis: member not employed'}         | ${'rural'} | ${'income'}   | ${30}   | ${null}   | ${[member('m1')]}                | ${[wages('m1', 100_000)]}                      | ${0}      | ${false}
    ${'income basis: only employed members count'} | ${'rural'} | ${'income'}   | ${30}   | ${null}   | ${[employed('m1'), member('m2')]} | ${[wages('m1', 50_000), wages('m2', 50_000)]} | ${15_000} | ${false}
    ${'income basis: property not deducted'}       | ${'rural'} | ${'income'}   | ${30}   | ${null}   | ${[employed('m1')]}              | ${[{ memberId: 'm1', category: 'property', monthlyFen: 100_000 }]} | ${0} | ${false}
    ${'standard basis: 20% of rural ¥600'}         | ${'rural'} | ${'standard'} | ${20}   | ${null}   | ${[employed('m1')]}              | ${[wages('m1', 50_000)]}                       | ${12_000} | ${false}
    ${'standard basis: 20% of urban ¥800'}         | ${'urban'} | ${'standard'} | ${20}   | ${null}   | ${[employed('m1')]}              | ${[wages('m1', 50_000)]}                       | ${16_000} | ${false}
    ${'standard basis: at most own wages'}         | ${'rural'} | ${'standard'} | ${20}   | ${null}   | ${[employed('m1')]}              | ${[wages('m1', 5_000)]}                        | ${5_000}  | ${false}
    ${'standard basis: per employed member'}       | ${'rural'} | ${'standard'} | ${20}   | ${null}   | ${[employed('m1'), employed('m2')]} | ${[wages('m1', 50_000), wages('m2', 50_000)]} | ${24_000} | ${false}
    ${'standard basis: employed without wages'}    | ${'rural'} | ${'standard'} | ${20}   | ${null}   | ${[employed('m1'), employed('m2')]} | ${[wages('m1', 50_000)]}                   | ${12_000} | ${false}
    ${'standard basis: exactly at the cap'}        | ${'rural'} | ${'standard'} | ${20}   | ${24_000} | ${[employed('m1'), employed('m2')]} | ${[wages('m1', 50_000), wages('m2', 50_000)]} | ${24_000} | ${false}
    ${'standard basis: over the cap'}              | ${'rural'} | ${'standard'} | ${20}   | ${23_999} | ${[employed('m1'), employed('m2')]} | ${[wages('m1', 50_000), wages('m2', 50_000)]} | ${23_999} | ${true}
    ${'standard basis: 33% of ¥600.01 rounds down'} | ${'rural'} | ${'standard'} | ${33}  | ${null}   | ${[employed('m1')]}              | ${[wages('m1', 50_000)]}                       | ${19_800} | ${false}
  `('$case', ({ area, basis, percent, capFen, members, incomes, deduction, capped }) => {
    const standard = basis === 'standard' && percent === 33 ? { dibaoStandardRuralFen: 60_001 } : {};
    const result = run(household({ area, members, incomes }), { employmentCostDeduction: { basis, percent, capFen }, ...standard });
    const gross = (incomes as Income[]).reduce((sum, i) => sum + i.monthlyFen, 0);
    expect(result.countableIncomeFen).toBe(gross - deduction);
    const capStep = result.steps.find((s) => s.rule === 'employmentCostDeduction' && s.description.includes('capped'));
    expect(capStep?.amountFen).toBe(capped ? capFen : undefined);
    for (const s of result.steps.filter((s) => s.rule === 'employmentCostDeduction')) {
      expect(s.source).toEqual({ document: 'doc-employmentCostDeduction.txt', passage: 'passage fixing employmentCostDeduction' });
    }
  });

  it('says when wages earn no deduction because the member is not recorded as employed', () => {
    const result = run(household({ incomes: [wages('m1', 100_000)] }));
    expect(result.steps.find((s) => s.rule === 'employmentCostDeduction')!.description).toContain('not recorded as employed');
  });
});

describe('assess: rigid-expenditure tiers (illness 50% to ¥500, 70% to ¥1000, 90% above; disability 50%; schooling none)', () => {
  const spend = (category: Expenditure['category'], monthlyFen: number, memberId = 'm1'): Expenditure => ({ memberId, category, monthlyFen });

  it.each`
    case                                  | expenditures                                       | deduction
    ${'no spending'}                      | ${[]}                                              | ${0}
    ${'illness one fen below tier 2'}     | ${[spend('illness', 49_999)]}                      | ${24_999}
    ${'illness at tier 2 edge'}           | ${[spend('illness', 50_000)]}                      | ${25_000}
    ${'illness one fen into tier 2'}      | ${[spend('illness', 50_001)]}                      | ${25_000}
    ${'illness ten fen into tier 2'}      | ${[spend('illness', 50_010)]}                      | ${25_007}
    ${'illness one fen below tier 3'}     | ${[spend('illness', 99_999)]}                      | ${59_999}
    ${'illness at tier 3 edge'}           | ${[spend('illness', 100_000)]}                     | ${60_000}
    ${'illness one fen into tier 3'}      | ${[spend('illness', 100_001)]}                     | ${60_000}
    ${'illness ten fen into tier 3'}      | ${[spend('illness', 100_010)]}                     | ${60_009}
    ${'disability, odd amount'}           | ${[spend('disability', 30_001)]}                   | ${15_000}
    ${'schooling: no tier in profile'}    | ${[spend('schooling', 50_000)]}                    | ${0}
    ${'tiers on the household total'}     | ${[spend('illness', 30_000), spend('illness', 30_000, 'm2')]} | ${32_000}
    ${'categories add up'}                | ${[spend('illness', 50_000), spend('disability', 10_000, 'm2')]} | ${30_000}
  `('$case → deduction $deduction', ({ expenditures, deduction }) => {
    const result = run(household({ members: [member('m1'), member('m2')], incomes: [other('m1', 300_000)], expenditures }));
    expect(result.countableIncomeFen).toBe(300_000 - deduction);
    const rigid = result.steps.filter((s) => s.rule === 'rigidExpenditureDeduction');
    expect(rigid.reduce((sum, s) => sum + (s.amountFen ?? 0), 0)).toBe(deduction);
    for (const s of rigid) expect(s.source!.document).toBe('doc-rigidExpenditureDeduction.txt');
  });

  it('never deducts more than the income: countable income is not negative', () => {
    const result = run(household({ incomes: [other('m1', 10_000)], expenditures: [spend('illness', 100_000)] }));
    expect(result).toMatchObject({ countableIncomeFen: 0, outcome: 'eligible', benefitFen: 60_000 });
    expect(result.steps.find((s) => s.description.includes('limited to the income left'))).toMatchObject({ rule: 'rigidExpenditureDeduction', amountFen: 10_000 });
  });

  it('limits the rigid deduction to what the employment-cost deduction leaves', () => {
    const result = run(
      household({ members: [member('m1', { employed: true })], incomes: [{ memberId: 'm1', category: 'wages', monthlyFen: 100_000 }], expenditures: [spend('illness', 200_000)] }),
    );
    expect(result.countableIncomeFen).toBe(0);
    expect(result.steps.find((s) => s.description.includes('limited to the income left'))!.amountFen).toBe(70_000);
  });

  it('applies no limit step when the income covers the deduction exactly', () => {
    const result = run(household({ incomes: [other('m1', 60_000)], expenditures: [spend('illness', 100_000)] }));
    expect(result.countableIncomeFen).toBe(0);
    expect(result.steps.some((s) => s.description.includes('limited to the income left'))).toBe(false);
  });
});

describe('assess: basic pension (profile flag)', () => {
  it.each`
    excluded | countable | rule
    ${true}  | ${50_000} | ${'Not counted'}
    ${false} | ${70_000} | ${'Counted'}
  `('basicPensionExcluded $excluded → countable $countable', ({ excluded, countable, rule }) => {
    const result = run(household({ incomes: [other('m1', 50_000), { memberId: 'm1', category: 'basicPension', monthlyFen: 20_000 }] }), { basicPensionExcluded: excluded });
    expect(result.countableIncomeFen).toBe(countable);
    const pensionStep = result.steps.find((s) => s.rule === 'basicPensionExcluded')!;
    expect(pensionStep).toMatchObject({ amountFen: 20_000, source: { document: 'doc-basicPensionExcluded.txt', passage: 'passage fixing basicPensionExcluded' } });
    expect(pensionStep.description).toContain(rule);
  });
});

describe('assess: support paid to a jobless severely disabled adult', () => {
  const grade = (g: Disability['grade'], type: Disability['type'] = 'physical'): Disability => ({ grade: g, type });
  const disabledAdult: Partial<Member> = { age: 30, employed: false, disability: grade(1) };

  it.each`
    case                                    | recipient                                                 | payer                                  | flag     | counted
    ${'sibling payer'}                      | ${disabledAdult}                                          | ${{ relation: 'sibling', age: 40 }}    | ${true}  | ${false}
    ${'sibling payer aged 17'}              | ${disabledAdult}                                          | ${{ relation: 'sibling', age: 17 }}    | ${true}  | ${false}
    ${'parent aged 60'}                     | ${disabledAdult}                                          | ${{ relation: 'parent', age: 60 }}     | ${true}  | ${false}
    ${'other payer aged 75'}                | ${disabledAdult}                                          | ${{ relation: 'other', age: 75 }}      | ${true}  | ${false}
    ${'parent aged 59 → counted'}           | ${disabledAdult}                                          | ${{ relation: 'parent', age: 59 }}     | ${true}  | ${true}
    ${'child aged 59 → counted'}            | ${disabledAdult}                                          | ${{ relation: 'child', age: 59 }}      | ${true}  | ${true}
    ${'payer not stated → counted'}         | ${disabledAdult}                                          | ${undefined}                           | ${true}  | ${true}
    ${'member aged 18'}                     | ${{ ...disabledAdult, age: 18 }}                          | ${{ relation: 'sibling', age: 40 }}    | ${true}  | ${false}
    ${'minor aged 17 → counted'}            | ${{ ...disabledAdult, age: 17 }}                          | ${{ relation: 'sibling', age: 40 }}    | ${true}  | ${true}
    ${'member employed → counted'}          | ${{ ...disabledAdult, employed: true }}                   | ${{ relation: 'sibling', age: 40 }}    | ${true}  | ${true}
    ${'member not disabled → counted'}      | ${{ ...disabledAdult, disability: undefined }}            | ${{ relation: 'sibling', age: 40 }}    | ${true}  | ${true}
    ${'grade 2 visual'}                     | ${{ ...disabledAdult, disability: grade(2, 'visual') }}   | ${{ relation: 'sibling', age: 40 }}    | ${true}  | ${false}
    ${'grade 3 intellectual'}               | ${{ ...disabledAdult, disability: grade(3, 'intellectual') }} | ${{ relation: 'sibling', age: 40 }} | ${true} | ${false}
    ${'grade 3 mental'}                     | ${{ ...disabledAdult, disability: grade(3, 'mental') }}   | ${{ relation: 'parent', age: 65 }}     | ${true}  | ${false}
    ${'grade 3 physical → counted'}         | ${{ ...disabledAdult, disability: grade(3, 'physical') }} | ${{ relation: 'sibling', age: 40 }}    | ${true}  | ${true}
    ${'grade 3 multiple → counted'}         | ${{ ...disabledAdult, disability: grade(3, 'multiple') }} | ${{ relation: 'sibling', age: 40 }}    | ${true}  | ${true}
    ${'grade 4 intellectual → counted'}     | ${{ ...disabledAdult, disability: grade(4, 'intellectual') }} | ${{ relation: 'sibling', age: 40 }} | ${true} | ${true}
    ${'flag off → counted'}                 | ${disabledAdult}                                          | ${{ relation: 'sibling', age: 40 }}    | ${false} | ${true}
  `('$case', ({ recipient, payer, flag, counted }) => {
    const income: Income = { memberId: 'm1', category: 'support', monthlyFen: 30_000, ...(payer ? { payer } : {}) };
    const result = run(household({ members: [member('m1', recipient)], incomes: [income, other('m1', 10_000)] }), { disabledAdultSupportExempt: flag });
    expect(result.countableIncomeFen).toBe(counted ? 40_000 : 10_000);
    const supportStep = result.steps.find((s) => s.rule === 'disabledAdultSupportExempt')!;
    expect(supportStep).toMatchObject({ amountFen: 30_000, source: { document: 'doc-disabledAdultSupportExempt.txt' } });
    expect(supportStep.description.startsWith(counted ? '计入' : '不计入')).toBe(true);
  });

  it('names the condition that is not met', () => {
    const result = run(household({ members: [member('m1', { ...disabledAdult, age: 17 })], incomes: [{ memberId: 'm1', category: 'support', monthlyFen: 1, payer: { relation: 'parent', age: 59 } }] }));
    const description = result.steps.find((s) => s.rule === 'disabledAdultSupportExempt')!.description;
    expect(description).toContain('payer is neither a sibling nor aged 60+');
    expect(description).toContain('member is a minor');
    expect(description).not.toContain('member is employed');
  });
});

describe('assess: single-person household (单人户)', () => {
  const grade = (g: Disability['grade'], type: Disability['type'] = 'physical'): Disability => ({ grade: g, type });
  /** m1 earns ¥1500, so the household of two has ¥750 per head: above the standard ¥600, below the marginal line ¥900. */
  const marginalHousehold = (m2: Partial<Member>, extra: { m1Income?: number; m2Income?: number; financialFen?: number } = {}) =>
    household({
      members: [member('m1'), member('m2', { relation: 'child', age: 25, ...m2 })],
      incomes: [other('m1', extra.m1Income ?? 150_000), ...(extra.m2Income ? [other('m2', extra.m2Income)] : [])],
      assets: { financialFen: extra.financialFen ?? 0 },
    });
  const sp = PARAMETERS.singlePersonHousehold;

  it.each`
    case                                  | m2                                                       | rule                                             | outcome            | benefit
    ${'grade 1 physical'}                 | ${{ disability: grade(1) }}                              | ${sp}                                            | ${'single-person'} | ${60_000}
    ${'grade 2 hearing'}                  | ${{ disability: grade(2, 'hearing') }}                   | ${sp}                                            | ${'single-person'} | ${60_000}
    ${'grade 3 intellectual'}             | ${{ disability: grade(3, 'intellectual') }}              | ${sp}                                            | ${'single-person'} | ${60_000}
    ${'grade 3 mental'}                   | ${{ disability: grade(3, 'mental') }}                    | ${sp}                                            | ${'single-person'} | ${60_000}
    ${'grade 3 physical → not'}           | ${{ disability: grade(3) }}                              | ${sp}                                            | ${'marginal'}      | ${0}
    ${'grade 4 intellectual → not'}       | ${{ disability: grade(4, 'intellectual') }}              | ${sp}                                            | ${'marginal'}      | ${0}
    ${'grade 3 physical, grade 3 listed'} | ${{ disability: grade(3) }}                              | ${{ ...sp, disabilityGrades: [1, 2, 3] }}        | ${'single-person'} | ${60_000}
    ${'grade 3 intellectual, flag off'}   | ${{ disability: grade(3, 'intellectual') }}              | ${{ ...sp, intellectualOrMentalGrade3: false }}  | ${'marginal'}      | ${0}
    ${'serious illness'}                  | ${{ seriousIllness: true }}                              | ${sp}                                            | ${'single-person'} | ${60_000}
    ${'serious illness, flag off'}        | ${{ seriousIllness: true }}                              | ${{ ...sp, seriousIllness: false }}              | ${'marginal'}      | ${0}
    ${'no condition'}                     | ${{}}                                                    | ${sp}                                            | ${'marginal'}      | ${0}
    ${'single-person disabled'}           | ${{ disability: grade(1) }}                              | ${{ ...sp, enabled: false }}                     | ${'marginal'}      | ${0}
  `('$case → $outcome', ({ m2, rule, outcome, benefit }) => {
    const result = run(marginalHousehold(m2), { singlePersonHousehold: rule });
    expect(result).toMatchObject({ outcome, benefitFen: benefit, perCapitaIncomeFen: 75_000, householdSize: 2 });
    if (outcome === 'single-person') {
      expect(result.singlePersonMember).toMatchObject({ memberId: 'm2', countableIncomeFen: 0 });
      expect(result.steps.find((s) => s.rule === 'singlePersonHousehold')).toMatchObject({ source: { document: 'doc-singlePersonHousehold.txt' } });
    } else {
      expect(result.singlePersonMember).toBeUndefined();
    }
  });

  it.each`
    case                                          | m1Income   | m2Income  | financialFen   | outcome           | benefit
    ${'household not marginal (at the line)'}     | ${180_000} | ${0}      | ${0}           | ${'not-eligible'} | ${0}
    ${'household one fen below the line'}         | ${179_999} | ${0}      | ${0}           | ${'single-person'} | ${60_000}
    ${'own income one fen below the standard'}    | ${90_001}  | ${59_999} | ${0}           | ${'single-person'} | ${1}
    ${'own income at the standard'}               | ${90_000}  | ${60_000} | ${0}           | ${'marginal'}     | ${0}
    ${'assets at the limit'}                      | ${150_000} | ${0}      | ${2_880_000}   | ${'single-person'} | ${60_000}
    ${'assets one fen above the limit'}           | ${150_000} | ${0}      | ${2_880_001}   | ${'marginal'}     | ${0}
  `('$case → $outcome', ({ m1Income, m2Income, financialFen, outcome, benefit }) => {
    const result = run(marginalHousehold({ disability: grade(1) }, { m1Income, m2Income, financialFen }));
    expect(result).toMatchObject({ outcome, benefitFen: benefit });
  });

  it('assesses the member as a household of one, with their own deductions', () => {
    const input = marginalHousehold({ disability: grade(1) }, { m1Income: 80_000, m2Income: 70_000 });
    input.expenditures = [{ memberId: 'm2', category: 'illness', monthlyFen: 40_000 }];
    const result = run(input);
    expect(result).toMatchObject({ outcome: 'single-person', countableIncomeFen: 130_000, perCapitaIncomeFen: 65_000, benefitFen: 10_000 });
    expect(result.singlePersonMember).toMatchObject({ memberId: 'm2', countableIncomeFen: 50_000 });
    expect(result.steps.filter((s) => s.description.startsWith('单人户 m2：')).map((s) => [s.rule, s.amountFen])).toEqual([
      ['sum', 70_000],
      ['sum', 70_000],
      ['sum', 40_000],
      ['rigidExpenditureDeduction', 20_000],
      ['sum', 50_000],
      ['dibaoStandardRuralFen', 50_000],
    ]);
  });

  it.each`
    case                                      | members                                                                                                                  | chosen
    ${'grade 1 before grade 2 and illness'}   | ${[member('a', { seriousIllness: true }), member('b', { disability: grade(2) }), member('c', { disability: grade(1) })]} | ${'c'}
    ${'same grade: smaller id'}               | ${[member('c', { disability: grade(1) }), member('b', { disability: grade(1) }), member('a')]}                           | ${'b'}
    ${'grade 3 intellectual before illness'}  | ${[member('a', { seriousIllness: true }), member('b', { disability: grade(3, 'intellectual') }), member('c')]}           | ${'b'}
    ${'disability and illness: grade counts'} | ${[member('a', { seriousIllness: true, disability: grade(2) }), member('b', { disability: grade(1) }), member('c')]}     | ${'b'}
    ${'illness only: smaller id'}             | ${[member('c', { seriousIllness: true }), member('b', { seriousIllness: true }), member('a')]}                           | ${'b'}
  `('chooses deterministically: $case', ({ members, chosen }) => {
    // z earns ¥2800: ¥700 per head in a household of four, marginal.
    const all = [...(members as Member[]), member('z')];
    const incomes = [other('z', 280_000), other('a', 0)];
    for (const order of [all, [...all].reverse(), [all[2]!, all[0]!, all[3]!, all[1]!]]) {
      const result = run(household({ members: order, incomes: order === all ? incomes : [...incomes].reverse() }));
      expect(result).toMatchObject({ outcome: 'single-person', perCapitaIncomeFen: 70_000, benefitFen: 60_000 });
      expect(result.singlePersonMember!.memberId).toBe(chosen);
    }
  });

  it('passes over a qualifying member whose own income is not below the standard', () => {
    const input = household({
      members: [member('a'), member('b', { disability: grade(2) }), member('c', { disability: grade(1) })],
      incomes: [other('a', 150_000), other('c', 60_000)],
    });
    const result = run(input);
    expect(result).toMatchObject({ outcome: 'single-person', perCapitaIncomeFen: 70_000, benefitFen: 60_000, singlePersonMember: { memberId: 'b' } });
    expect(result.reasons.some((r) => r.startsWith('c 本人收入不低于标准'))).toBe(true);
  });
});

describe('assess: financial assets (24 months of the standard per member)', () => {
  it.each`
    area       | size | financialFen   | outcome       | months
    ${'rural'} | ${1} | ${1_440_000}   | ${'eligible'} | ${24}
    ${'rural'} | ${1} | ${1_440_001}   | ${'marginal'} | ${24}
    ${'urban'} | ${3} | ${5_760_000}   | ${'eligible'} | ${24}
    ${'urban'} | ${3} | ${5_760_001}   | ${'marginal'} | ${24}
    ${'rural'} | ${1} | ${0}           | ${'eligible'} | ${0}
    ${'rural'} | ${1} | ${1}           | ${'marginal'} | ${0}
  `('$area, $size member(s), assets $financialFen, limit $months months → $outcome', ({ area, size, financialFen, outcome, months }) => {
    const input = { ...householdWithIncome(size, 0, area), assets: { financialFen } };
    const result = run(input, { financialAssetsLimitMonths: months });
    expect(result.outcome).toBe(outcome);
    expect(result.benefitFen).toBe(outcome === 'eligible' ? size * (area === 'urban' ? 80_000 : 60_000) : 0);
    const assetStep = result.steps.find((s) => s.rule === 'financialAssetsLimitMonths')!;
    expect(assetStep).toMatchObject({ amountFen: months * size * (area === 'urban' ? 80_000 : 60_000), source: { document: 'doc-financialAssetsLimitMonths.txt' } });
    expect(result.reasons.some((r) => r.includes('assets are above the limit'))).toBe(outcome !== 'eligible');
  });
});

describe('assess: benefit by bands', () => {
  const bands = { method: 'bands' as const, bands: [ { upToGapFen: 20_000, amountPerMemberFen: 10_000 }, { upToGapFen: 40_000, amountPerMemberFen: 30_000 }, { upToGapFen: 60_000, amountPerMemberFen: 50_000 } ], roundTo: 'fen' as const, rounding: 'half-up' as const, minimumFen: 0 };

  it.each`
    case                                    | countable  | gap       | benefit
    ${'gap exactly at the first edge'}      | ${80_000}  | ${20_000} | ${20_000}
    ${'gap one fen above the first edge'}   | ${79_998}  | ${20_001} | ${60_000}
    ${'per-capita rounded down widens gap'} | ${79_999}  | ${20_001} | ${60_000}
    ${'gap exactly at the second edge'}     | ${40_000}  | ${40_000} | ${60_000}
    ${'gap one fen above the second edge'}  | ${39_998}  | ${40_001} | ${100_000}
    ${'no income'}                          | ${0}       | ${60_000} | ${100_000}
    ${'gap of one fen'}                     | ${119_998} | ${1}      | ${20_000}
  `('$case (gap $gap) → $benefit for two', ({ countable, gap, benefit }) => {
    const result = run(householdWithIncome(2, countable), { benefit: bands });
    expect(result.outcome).toBe('eligible');
    expect(60_000 - result.perCapitaIncomeFen).toBe(gap);
    expect(result.benefitFen).toBe(benefit);
    expect(result.steps.filter((s) => s.rule === 'benefit')).toEqual([expect.objectContaining({ amountFen: benefit, source: { document: 'doc-benefit.txt', passage: 'passage fixing benefit' } })]);
  });

  it('takes the last band for a gap above every band', () => {
    const result = run(householdWithIncome(1, 0), { benefit: { ...bands, bands: bands.bands.slice(0, 2) } });
    expect(result.benefitFen).toBe(30_000);
  });

  it('pays one member the band of their own gap in a single-person household', () => {
    const input = household({ members: [member('m1'), member('m2', { disability: { grade: 1, type: 'visual' } })], incomes: [other('m1', 150_000), other('m2', 25_000)] });
    const result = run(input, { benefit: bands });
    expect(result).toMatchObject({ outcome: 'single-person', benefitFen: 30_000 });
  });

  it('raises a band amount to the minimum', () => {
    const result = run(householdWithIncome(1, 59_000), { benefit: { ...bands, minimumFen: 15_000 } });
    expect(result.benefitFen).toBe(15_000);
  });
});

describe('assess: rounding the gap', () => {
  it.each`
    roundTo   | rounding     | raw       | rounded
    ${'fen'}  | ${'up'}      | ${12_345} | ${12_345}
    ${'fen'}  | ${'down'}    | ${12_345} | ${12_345}
    ${'fen'}  | ${'half-up'} | ${12_345} | ${12_345}
    ${'jiao'} | ${'up'}      | ${12_341} | ${12_350}
    ${'jiao'} | ${'up'}      | ${12_340} | ${12_340}
    ${'jiao'} | ${'down'}    | ${12_349} | ${12_340}
    ${'jiao'} | ${'half-up'} | ${12_345} | ${12_350}
    ${'jiao'} | ${'half-up'} | ${12_344} | ${12_340}
    ${'yuan'} | ${'up'}      | ${12_301} | ${12_400}
    ${'yuan'} | ${'up'}      | ${12_300} | ${12_300}
    ${'yuan'} | ${'down'}    | ${12_399} | ${12_300}
    ${'yuan'} | ${'half-up'} | ${12_350} | ${12_400}
    ${'yuan'} | ${'half-up'} | ${12_349} | ${12_300}
    ${'yuan'} | ${'down'}    | ${99}     | ${0}
  `('$raw rounded $rounding to the $roundTo → $rounded', ({ roundTo, rounding, raw, rounded }) => {
    expect(roundFen(raw, roundTo, rounding)).toBe(rounded);
    const result = run(householdWithIncome(1, 60_000 - raw), { benefit: { method: 'gap', bands: [], roundTo, rounding, minimumFen: 0 } });
    expect(result.outcome).toBe('eligible');
    expect(result.benefitFen).toBe(rounded);
    expect(result.steps.filter((s) => s.rule === 'benefit').map((s) => s.amountFen)).toEqual([raw, rounded]);
  });

  it.each`
    minimumFen | raw       | benefit
    ${1_000}   | ${50}     | ${1_000}
    ${1_000}   | ${999}    | ${1_000}
    ${1_000}   | ${1_000}  | ${1_000}
    ${1_000}   | ${1_001}  | ${1_001}
  `('minimum $minimumFen with a gap of $raw → $benefit', ({ minimumFen, raw, benefit }) => {
    const result = run(householdWithIncome(1, 60_000 - raw), { benefit: { method: 'gap', bands: [], roundTo: 'fen', rounding: 'half-up', minimumFen } });
    expect(result.benefitFen).toBe(benefit);
    expect(result.steps.some((s) => s.description.includes('Raised to the minimum'))).toBe(raw < minimumFen);
  });

  it('rounds after the gap and before the minimum: ¥0.50 rounded down to the yuan with minimum ¥10 pays ¥10', () => {
    const result = run(householdWithIncome(1, 59_950), { benefit: { method: 'gap', bands: [], roundTo: 'yuan', rounding: 'down', minimumFen: 1_000 } });
    expect(result.steps.filter((s) => s.rule === 'benefit').map((s) => s.amountFen)).toEqual([50, 0, 1_000]);
  });
});

describe('assess: a worked example, step by step', () => {
  it('lists every inclusion, exclusion, deduction, comparison and rounding with its amount', () => {
    const input: AssessmentInput = {
      area: 'urban',
      members: [
        member('c', { relation: 'child', age: 20, disability: { grade: 1, type: 'intellectual' } }),
        member('a', { employed: true }),
        member('b', { relation: 'spouse', age: 66 }),
      ],
      incomes: [
        { memberId: 'c', category: 'support', monthlyFen: 20_000, payer: { relation: 'sibling', age: 30 } },
        { memberId: 'a', category: 'wages', monthlyFen: 150_000 },
        { memberId: 'b', category: 'basicPension', monthlyFen: 10_000 },
        { memberId: 'a', category: 'property', monthlyFen: 5_000 },
      ],
      expenditures: [
        { memberId: 'c', category: 'illness', monthlyFen: 60_000 },
        { memberId: 'c', category: 'disability', monthlyFen: 10_000 },
      ],
      assets: { financialFen: 100_000 },
    };
    const result = run(input);
    expect(result).toMatchObject({ outcome: 'eligible', householdSize: 3, countableIncomeFen: 73_000, perCapitaIncomeFen: 24_333, standardFen: 80_000, benefitFen: 167_000 });
    expect(result.steps.map((s) => [s.rule, s.amountFen])).toEqual([
      ['dibaoStandardUrbanFen', 80_000],
      ['sum', undefined],
      ['sum', 5_000],
      ['sum', 150_000],
      ['basicPensionExcluded', 10_000],
      ['disabledAdultSupportExempt', 20_000],
      ['sum', 155_000],
      ['employmentCostDeduction', 45_000],
      ['sum', 60_000],
      ['rigidExpenditureDeduction', 25_000],
      ['rigidExpenditureDeduction', 7_000],
      ['sum', 10_000],
      ['rigidExpenditureDeduction', 5_000],
      ['sum', 73_000],
      ['sum', 24_333],
      ['dibaoStandardUrbanFen', 24_333],
      ['financialAssetsLimitMonths', 5_760_000],
      ['benefit', 167_000],
      ['benefit', 167_000],
    ]);
    for (const s of result.steps) {
      if (s.rule === 'sum') expect(s.source).toBeUndefined();
      else expect(s.source).toEqual({ document: `doc-${s.rule}.txt`, passage: `passage fixing ${s.rule}` });
    }
    expect(result.steps[7]!.description).toBe(
      '扣减就业成本：就业成员（a）工资和经营收入 ¥1500.00 × 30% = ¥450.00（舍去不足一分）/ Employment costs: 30% of employed members’ wages and business income, rounded down',
    );
  });
});

describe('assess: impossible input', () => {
  it.each`
    case                          | input                                                                                        | message
    ${'no members'}               | ${household({ members: [] })}                                                                | ${'at least one member'}
    ${'duplicate member ids'}     | ${household({ members: [member('m1'), member('m1')] })}                                      | ${'appears twice'}
    ${'negative income'}          | ${household({ incomes: [other('m1', -1)] })}                                                 | ${'incomes[0].monthlyFen'}
    ${'fractional income'}        | ${household({ incomes: [other('m1', 10.5)] })}                                               | ${'incomes[0].monthlyFen'}
    ${'income of unknown member'} | ${household({ incomes: [other('m1', 1), other('m9', 1)] })}                                  | ${'incomes[1] belongs to unknown member "m9"'}
    ${'spending of unknown member'} | ${household({ expenditures: [{ memberId: 'x', category: 'illness', monthlyFen: 1 }] })}   | ${'unknown member "x"'}
    ${'negative spending'}        | ${household({ expenditures: [{ memberId: 'm1', category: 'illness', monthlyFen: -5 }] })}    | ${'expenditures[0].monthlyFen'}
    ${'negative assets'}          | ${household({ assets: { financialFen: -1 } })}                                               | ${'assets.financialFen'}
    ${'negative age'}             | ${household({ members: [member('m1', { age: -1 })] })}                                       | ${'members[0].age'}
  `('$case', ({ input, message }) => {
    expect(() => run(input)).toThrow(AssessmentInputError);
    expect(() => run(input)).toThrow(message);
    try {
      run(input);
    } catch (error) {
      expect(error).toMatchObject({ code: 'assessment-input-invalid', status: 422 });
    }
  });
});

describe('assess: the policy cliffs of the single-person route (documented, not smoothed)', () => {
  it('more household income can move an eligible household to a larger single-person benefit', () => {
    const members = [member('m1'), member('m2', { disability: { grade: 1, type: 'physical' } })];
    const before = run(household({ members, incomes: [other('m1', 119_999)] }));
    const after = run(household({ members, incomes: [other('m1', 120_000)] }));
    expect([before.outcome, before.benefitFen]).toEqual(['eligible', 1]);
    expect([after.outcome, after.benefitFen]).toEqual(['single-person', 60_000]);
    // The jump is the law's route boundary, and the explanation says so.
    expect(after.steps.map((s) => s.description)).toContainEqual(expect.stringContaining('Route changed to a single-person household'));
  });

});

describe('assess: choosing the single-person member', () => {
  it('chooses the qualifying member with the lowest own income (the largest benefit), so more income never moves the choice upwards', () => {
    const members = [member('a'), member('b', { disability: { grade: 2, type: 'physical' } }), member('c', { disability: { grade: 1, type: 'physical' } })];
    const before = run(household({ members, incomes: [other('a', 150_000), other('c', 50_000)] }));
    const after = run(household({ members, incomes: [other('a', 150_000), other('c', 60_000)] }));
    expect([before.outcome, before.singlePersonMember?.memberId, before.benefitFen]).toEqual(['single-person', 'b', 60_000]);
    expect([after.outcome, after.singlePersonMember?.memberId, after.benefitFen]).toEqual(['single-person', 'b', 60_000]);
  });

  it('breaks a tie of own income by severity, then by member id', () => {
    const members = [member('a'), member('b', { disability: { grade: 2, type: 'physical' } }), member('c', { disability: { grade: 1, type: 'physical' } })];
    const result = run(household({ members, incomes: [other('a', 200_000)] }));
    expect(result.singlePersonMember?.memberId).toBe('c');
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------------------------

const IDS = ['a', 'b', 'm1', 'm10', 'm2', '张三', 'z'];

const disabilityArb: fc.Arbitrary<Disability | undefined> = fc.option(
  fc.record({ grade: fc.constantFrom<Disability['grade']>(1, 2, 3, 4), type: fc.constantFrom<Disability['type']>('physical', 'visual', 'hearing', 'speech', 'intellectual', 'mental', 'multiple') }),
  { nil: undefined },
);

const memberArb = (id: string): fc.Arbitrary<Member> =>
  fc.record({
    id: fc.constant(id),
    age: fc.integer({ min: 0, max: 100 }),
    relation: fc.constantFrom<Member['relation']>('applicant', 'spouse', 'child', 'parent', 'sibling', 'grandparent', 'grandchild', 'other'),
    disability: disabilityArb,
    seriousIllness: fc.boolean(),
    inSchool: fc.boolean(),
    employed: fc.boolean(),
  });

const incomeArb = (ids: string[]): fc.Arbitrary<Income> =>
  fc.record({
    memberId: fc.constantFrom(...ids),
    category: fc.constantFrom<Income['category']>('wages', 'business', 'property', 'transfer', 'support', 'basicPension', 'other'),
    monthlyFen: fc.integer({ min: 0, max: 150_000 }),
    payer: fc.option(fc.record({ relation: fc.constantFrom<'sibling' | 'parent' | 'child' | 'other'>('sibling', 'parent', 'child', 'other'), age: fc.integer({ min: 15, max: 90 }) }), { nil: undefined }),
  });

const expenditureArb = (ids: string[]): fc.Arbitrary<Expenditure> =>
  fc.record({ memberId: fc.constantFrom(...ids), category: fc.constantFrom<Expenditure['category']>('illness', 'disability', 'schooling'), monthlyFen: fc.integer({ min: 0, max: 150_000 }) });

const householdArb: fc.Arbitrary<AssessmentInput> = fc.uniqueArray(fc.constantFrom(...IDS), { minLength: 1, maxLength: 5 }).chain((ids) =>
  fc.record({
    area: fc.constantFrom<'urban' | 'rural'>('urban', 'rural'),
    members: fc.tuple(...ids.map(memberArb)),
    incomes: fc.array(incomeArb(ids), { maxLength: 8 }),
    expenditures: fc.array(expenditureArb(ids), { maxLength: 4 }),
    assets: fc.record({ financialFen: fc.integer({ min: 0, max: 8_000_000 }) }),
  }),
);

/** Ascending upper edges and ascending amounts, as a sensible bands table has. */
const bandsArb = fc
  .array(fc.tuple(fc.integer({ min: 1, max: 40_000 }), fc.integer({ min: 0, max: 40_000 })), { minLength: 1, maxLength: 4 })
  .map((steps) => {
    let edge = -1;
    let amount = 0;
    return steps.map(([edgeStep, amountStep]) => ({ upToGapFen: (edge += edgeStep), amountPerMemberFen: (amount += amountStep) }));
  });

const parametersArb: fc.Arbitrary<Partial<PolicyParameters>> = fc.record({
  dibaoStandardUrbanFen: fc.integer({ min: 30_000, max: 120_000 }),
  dibaoStandardRuralFen: fc.integer({ min: 30_000, max: 120_000 }),
  marginalMultiplePercent: fc.integer({ min: 100, max: 300 }),
  financialAssetsLimitMonths: fc.integer({ min: 0, max: 48 }),
  employmentCostDeduction: fc.record({
    basis: fc.constantFrom<'income' | 'standard'>('income', 'standard'),
    percent: fc.integer({ min: 0, max: 100 }),
    capFen: fc.option(fc.integer({ min: 0, max: 60_000 }), { nil: null }),
  }),
  rigidExpenditureDeduction: fc.constantFrom(PARAMETERS.rigidExpenditureDeduction, [], [{ category: 'schooling' as const, fromFen: 10_000, toFen: null, percent: 100 }]),
  basicPensionExcluded: fc.boolean(),
  disabledAdultSupportExempt: fc.boolean(),
  singlePersonHousehold: fc.record({
    enabled: fc.boolean(),
    disabilityGrades: fc.subarray([1, 2, 3, 4]),
    intellectualOrMentalGrade3: fc.boolean(),
    seriousIllness: fc.boolean(),
  }),
  benefit: fc.oneof(
    fc.record({
      method: fc.constant<'gap'>('gap'),
      bands: fc.constant<PolicyParameters['benefit']['bands']>([]),
      roundTo: fc.constantFrom<'fen' | 'jiao' | 'yuan'>('fen', 'jiao', 'yuan'),
      rounding: fc.constantFrom<'up' | 'down' | 'half-up'>('up', 'down', 'half-up'),
      minimumFen: fc.integer({ min: 0, max: 5_000 }),
    }),
    fc.record({
      method: fc.constant<'bands'>('bands'),
      bands: bandsArb,
      roundTo: fc.constant<'fen'>('fen'),
      rounding: fc.constant<'half-up'>('half-up'),
      minimumFen: fc.integer({ min: 0, max: 5_000 }),
    }),
  ),
});

/** Fisher–Yates with fast-check's randomness, so a failure shrinks and replays. */
const shuffled = <T>(items: T[], keys: number[]): T[] =>
  items
    .map((item, i) => ({ item, key: keys[i % Math.max(keys.length, 1)] ?? 0, i }))
    .sort((x, y) => x.key - y.key || y.i - x.i)
    .map((x) => x.item);

describe('assess: properties', () => {
  it('the benefit is never negative, and is paid exactly to eligible and single-person households', () => {
    fc.assert(
      fc.property(householdArb, parametersArb, (input, parameters) => {
        const result = run(input, parameters);
        expect(result.benefitFen).toBeGreaterThanOrEqual(0);
        expect(Number.isSafeInteger(result.benefitFen)).toBe(true);
        if (result.outcome === 'eligible' || result.outcome === 'single-person') expect(result.benefitFen).toBeGreaterThanOrEqual(parameters.benefit!.minimumFen);
        else expect(result.benefitFen).toBe(0);
        expect(result.countableIncomeFen).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 300 },
    );
  });

  it('per-capita × size equals countable income within rounding (0 ≤ countable − pc × size < size)', () => {
    fc.assert(
      fc.property(householdArb, parametersArb, (input, parameters) => {
        const result = run(input, parameters);
        const rest = result.countableIncomeFen - result.perCapitaIncomeFen * result.householdSize;
        expect(rest).toBeGreaterThanOrEqual(0);
        expect(rest).toBeLessThan(result.householdSize);
        // and the outcome agrees with the exact comparison against the standard
        expect(result.countableIncomeFen < result.standardFen * result.householdSize).toBe(result.perCapitaIncomeFen < result.standardFen);
      }),
      { numRuns: 300 },
    );
  });

  it('the result does not depend on the order of members, incomes or expenditures', () => {
    fc.assert(
      fc.property(householdArb, parametersArb, fc.array(fc.integer(), { minLength: 1, maxLength: 10 }), (input, parameters, keys) => {
        const reordered: AssessmentInput = {
          ...input,
          members: shuffled(input.members, keys),
          incomes: shuffled(input.incomes, [...keys].reverse()),
          expenditures: shuffled(input.expenditures, keys.map((k) => -k)),
        };
        expect(run(reordered, parameters)).toEqual(run(input, parameters));
      }),
      { numRuns: 300 },
    );
  });

  it('within a route more income never yields a larger benefit; across the route boundary the jump is a step of the explanation', () => {
    const moreArb = householdArb.chain((input) =>
      fc.tuple(
        fc.constant(input),
        fc.oneof(
          incomeArb(input.members.map((m) => m.id)).map((extra) => ({ ...input, incomes: [...input.incomes, extra] })),
          fc.tuple(fc.nat(), fc.integer({ min: 1, max: 100_000 })).map(([index, delta]) =>
            input.incomes.length === 0
              ? input
              : { ...input, incomes: input.incomes.map((income, i) => (i === index % input.incomes.length ? { ...income, monthlyFen: income.monthlyFen + delta } : income)) },
          ),
        ),
      ),
    );
    fc.assert(
      fc.property(moreArb, parametersArb, ([less, more], parameters) => {
        const before = run(less, parameters);
        const after = run(more, parameters);
        // Two routes: the household as a whole (eligible, marginal, not eligible) and the single-person household.
        const route = (r: AssessmentResult) => (r.outcome === 'single-person' ? 'single-person' : 'household');
        if (route(before) === route(after)) expect(after.benefitFen).toBeLessThanOrEqual(before.benefitFen);
        else expect([before, after].find((r) => route(r) === 'single-person')!.steps.some((s) => s.description.startsWith('转入“单人户”路径'))).toBe(true);
        expect(after.countableIncomeFen).toBeGreaterThanOrEqual(before.countableIncomeFen);
      }),
      { numRuns: 500 },
    );
  });

  it('every step that applies a parameter cites that parameter’s source; arithmetic steps cite none', () => {
    fc.assert(
      fc.property(householdArb, parametersArb, (input, parameters) => {
        const profile = testProfile(parameters);
        const result: AssessmentResult = assess(input, profile);
        for (const s of result.steps) {
          if (s.rule === 'sum') expect(s.source).toBeUndefined();
          else expect(s.source).toBe(profile.parameters[s.rule].source);
          if (s.amountFen !== undefined) expect(Number.isSafeInteger(s.amountFen) && s.amountFen >= 0).toBe(true);
        }
        expect(result.steps.some((s) => s.rule === (input.area === 'urban' ? 'dibaoStandardUrbanFen' : 'dibaoStandardRuralFen'))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

describe('assess: where each figure came from', () => {
  it('says of each income and of the assets whether it was declared or verified', () => {
    const result = run(
      household({
        incomes: [
          { memberId: 'm1', category: 'other', monthlyFen: 10_000, source: 'declared' },
          { memberId: 'm1', category: 'business', monthlyFen: 20_000, source: 'verified' },
        ],
        assets: { financialFen: 5_000, source: 'verified' },
      }),
    );
    const descriptions = result.steps.map((s) => s.description);
    expect(descriptions).toContainEqual(expect.stringMatching(/^计入：m1 其他收入 ¥100\.00（申报）.*declared/));
    expect(descriptions).toContainEqual(expect.stringMatching(/^计入：m1 经营净收入 ¥200\.00（核实）.*verified/));
    expect(descriptions).toContainEqual(expect.stringMatching(/^金融资产 ¥50\.00（核实）.*verified/));
  });

  it('says nothing of the source where the input does not tell it (the assessment API)', () => {
    const descriptions = run(household({ incomes: [other('m1', 10_000)] })).steps.map((s) => s.description);
    expect(descriptions.some((d) => /申报|核实|declared|verified/.test(d))).toBe(false);
  });
});
