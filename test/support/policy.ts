import type { Cited, ParameterName, PolicyParameters } from '../../src/policy/parameters';

/** Valid values for every parameter, with round numbers tests can reason about. */
export const TEST_PARAMETERS: PolicyParameters = {
  dibaoStandardUrbanFen: 80_000,
  dibaoStandardRuralFen: 60_000,
  marginalMultiplePercent: 150,
  lowIncomeMultiplePercent: 200,
  extremePovertyMultiplePercent: 130,
  financialAssetsLimitMonths: 24,
  employmentCostDeduction: { basis: 'income', percent: 30, capFen: null },
  rigidExpenditureDeduction: [
    { category: 'illness', fromFen: 0, toFen: 50_000, percent: 50 },
    { category: 'illness', fromFen: 50_000, toFen: null, percent: 80 },
    { category: 'disability', fromFen: 0, toFen: null, percent: 50 },
    { category: 'schooling', fromFen: 0, toFen: null, percent: 50 },
  ],
  basicPensionExcluded: true,
  disabledAdultSupportExempt: true,
  singlePersonHousehold: { enabled: true, disabilityGrades: [1, 2], intellectualOrMentalGrade3: true, seriousIllness: true },
  benefit: { method: 'gap', bands: [], roundTo: 'fen', rounding: 'half-up', minimumFen: 0 },
  gradualExitMonths: { min: 6, max: 12 },
  villageReviewRequired: true,
  noticeDays: 7,
  procedureWorkingDays: 30,
  procedureExtendedWorkingDays: 45,
  investigationStartWorkingDays: 3,
  acceptanceWorkingDays: 5,
  materialsWorkingDays: 10,
  followUpWorkingDays: 5,
  samplingReviewWorkingDays: 20,
  refusalNoticeWorkingDays: 3,
  hearingWorkingDays: 10,
  administrativeReview: { body: '{county}人民政府', days: 60 },
  administrativeLitigation: { body: '{county}人民法院', months: 6 },
  sampling: { ratioPercent: 30, relativesRatioPercent: 60, period: 'monthly' },
  temporaryAidReplyHours: 12,
  emergencyAidHours: 24,
  rescueFirstLimitFen: 100_000,
  reserveFundLowBalanceFen: 100_000,
  reserveFundReplenishmentWorkingDays: 5,
  townshipApprovalLimitFen: 300_000,
  countyApprovalCapFen: 1_000_000,
  paperworkWorkingDays: 5,
  temporaryAidApprovalWorkingDays: 5,
  instalmentMaxMonths: 6,
  temporaryAidAmounts: [{ type: 'emergency', severity: 'general', multipleOfStandardPercent: 200 }],
  unemployedAid: { monthsWithoutIncome: 3, multipleOfStandardPercent: 100 },
  paymentCalendar: { dataByDay: 5, fundsByDay: 8, creditedByDay: 10, holidayDirection: 'previous' },
};

/** Every parameter cited to a law article, as a baseline profile file needs them. */
export function citedParameters(overrides: Partial<PolicyParameters> = {}): { [K in ParameterName]: Cited<PolicyParameters[K]> } {
  const values = { ...TEST_PARAMETERS, ...overrides };
  return Object.fromEntries(
    Object.entries(values).map(([name, value]) => [name, { value, source: { document: '社会救助法 §18', passage: `test value of ${name}` } }]),
  ) as { [K in ParameterName]: Cited<PolicyParameters[K]> };
}
