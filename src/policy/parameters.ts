/**
 * The policy parameters a jurisdiction sets, their value shapes and allowed ranges. One table drives validation
 * of the profile files, so a new parameter is one entry here plus its values in the profiles.
 *
 * Units: money in integer fen; shares and multiples in integer percent (150 = 1.5 times); durations in the unit
 * the parameter names (days, working days, hours, months).
 */

export interface Source {
  /**
   * A seed file name (`004_ab48a1bc071c0f38.txt`), a law's articles (`社会救助法 §18`, `行政复议法 §20 §24`), or a law by
   * title only (`社会救助法`) where no article is confirmed for the rule.
   */
  document: string;
  /** For a seed: the passage, quoted exactly (checked against the file); for a law article: its gist. */
  passage: string;
}

export interface Cited<T> {
  value: T;
  source: Source;
  /** A value the cited documents do not fix (e.g. a county's yearly standard): must be confirmed locally. */
  provisional?: string;
}

export type RigidCategory = 'illness' | 'disability' | 'schooling';

export interface PolicyParameters {
  dibaoStandardUrbanFen: number;
  dibaoStandardRuralFen: number;
  marginalMultiplePercent: number;
  lowIncomeMultiplePercent: number;
  extremePovertyMultiplePercent: number;
  /** Household financial assets per member, in months of the applicable standard. */
  financialAssetsLimitMonths: number;
  employmentCostDeduction: { basis: 'income' | 'standard'; percent: number; capFen: number | null };
  /** Proportional deduction of rigid expenditure: for each category, `percent` of the part of the monthly spending in [fromFen, toFen). */
  rigidExpenditureDeduction: { category: RigidCategory; fromFen: number; toFen: number | null; percent: number }[];
  basicPensionExcluded: boolean;
  /** Support paid by siblings or by people aged 60+ to a jobless severely disabled adult is not counted. */
  disabledAdultSupportExempt: boolean;
  singlePersonHousehold: { enabled: boolean; disabilityGrades: number[]; intellectualOrMentalGrade3: boolean; seriousIllness: boolean };
  benefit: {
    method: 'gap' | 'bands';
    /** For `bands`: the benefit per member is the amount of the first band whose `upToGapFen` covers the per-capita gap. */
    bands: { upToGapFen: number; amountPerMemberFen: number }[];
    roundTo: 'fen' | 'jiao' | 'yuan';
    rounding: 'up' | 'down' | 'half-up';
    minimumFen: number;
  };
  gradualExitMonths: { min: number; max: number };
  villageReviewRequired: boolean;
  noticeDays: number;
  procedureWorkingDays: number;
  procedureExtendedWorkingDays: number;
  investigationStartWorkingDays: number;
  /** The township accepts an application, or lists every missing material at once, within these working days. */
  acceptanceWorkingDays: number;
  /** The applicant supplies the listed materials within these working days. */
  materialsWorkingDays: number;
  /** The county acts on an escalated breach within these working days. */
  followUpWorkingDays: number;
  /** The county completes the reviews of a sampling batch within these working days of the draw. */
  samplingReviewWorkingDays: number;
  refusalNoticeWorkingDays: number;
  hearingWorkingDays: number;
  /**
   * Where and within how many days a family may apply for administrative review (行政复议) of a decision. `body` may
   * hold `{county}`: the name of the county the deciding township belongs to (`{county}人民政府` → 修武县人民政府).
   */
  administrativeReview: { body: string; days: number };
  /** Where and within how many months a family may sue (行政诉讼) directly; `body` as above (`{county}人民法院`). */
  administrativeLitigation: { body: string; months: number };
  sampling: { ratioPercent: number; relativesRatioPercent: number; period: 'monthly' | 'quarterly' };
  temporaryAidReplyHours: number;
  emergencyAidHours: number;
  rescueFirstLimitFen: number;
  /** A township reserve fund whose balance falls below this raises an alert and a county task to replenish it. */
  reserveFundLowBalanceFen: number;
  /** The county replenishes a fund below that balance within these working days of the alert (its task's due date). */
  reserveFundReplenishmentWorkingDays: number;
  townshipApprovalLimitFen: number;
  countyApprovalCapFen: number;
  paperworkWorkingDays: number;
  /** The township, the county or the joint meeting decides a temporary-aid request within these working days of the reply. */
  temporaryAidApprovalWorkingDays: number;
  instalmentMaxMonths: number;
  temporaryAidAmounts: { type: 'emergency' | 'expenditure'; severity: 'general' | 'serious' | 'major'; multipleOfStandardPercent: number }[];
  unemployedAid: { monthsWithoutIncome: number; multipleOfStandardPercent: number };
  paymentCalendar: { dataByDay: number; fundsByDay: number; creditedByDay: number; holidayDirection: 'previous' | 'next' };
}

export type ParameterName = keyof PolicyParameters;
/** The parameters that count working days (every deadline of the working-day calendar). */
export type WorkingDaysParameter = Extract<ParameterName, `${string}WorkingDays`>;

/** A value checker: returns the problems of `value` (empty when fine), each naming the path below the parameter. */
type Check = (value: unknown, path: string) => string[];

const integer =
  (min: number, max: number): Check =>
  (value, path) =>
    Number.isInteger(value) && (value as number) >= min && (value as number) <= max ? [] : [`${path} must be an integer from ${min} to ${max} (got ${JSON.stringify(value)})`];

const fen = integer(0, 100_000_000_00); // up to 100 million yuan
const percent = integer(0, 100);
const boolean: Check = (value, path) => (typeof value === 'boolean' ? [] : [`${path} must be true or false (got ${JSON.stringify(value)})`]);
const oneOf =
  (...allowed: string[]): Check =>
  (value, path) =>
    allowed.includes(value as string) ? [] : [`${path} must be one of ${allowed.join(', ')} (got ${JSON.stringify(value)})`];
const text: Check = (value, path) => (typeof value === 'string' && value.trim() !== '' ? [] : [`${path} must be a non-empty text (got ${JSON.stringify(value)})`]);
const nullable =
  (check: Check): Check =>
  (value, path) =>
    value === null ? [] : check(value, path);

const object =
  (fields: Record<string, Check>): Check =>
  (value, path) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${path} must be an object`];
    const problems = Object.entries(fields).flatMap(([name, check]) =>
      name in value ? check((value as Record<string, unknown>)[name], `${path}.${name}`) : [`${path}.${name} is missing`],
    );
    const unknown = Object.keys(value).filter((name) => !(name in fields));
    return [...problems, ...unknown.map((name) => `${path}.${name} is not a known field`)];
  };

const list =
  (item: Check, minItems = 0): Check =>
  (value, path) => {
    if (!Array.isArray(value)) return [`${path} must be a list`];
    if (value.length < minItems) return [`${path} must have at least ${minItems} item(s)`];
    return value.flatMap((v, i) => item(v, `${path}[${i}]`));
  };

/** Whole-object rules a shape cannot say. */
const also =
  (check: Check, rule: (value: never) => string | undefined): Check =>
  (value, path) => {
    const problems = check(value, path);
    if (problems.length) return problems;
    const problem = rule(value as never);
    return problem ? [`${path}: ${problem}`] : [];
  };

/** A remedy body's only placeholder is `{county}` (src/dibao/notices.ts remediesOf fills it). */
const countyPlaceholderOnly = (r: { body: string }) => (/[{}]/.test(r.body.split('{county}').join('')) ? 'body may hold no placeholder but {county}' : undefined);

export const PARAMETER_CHECKS: Record<ParameterName, Check> = {
  dibaoStandardUrbanFen: integer(1, 10_000_00),
  dibaoStandardRuralFen: integer(1, 10_000_00),
  marginalMultiplePercent: integer(100, 300),
  lowIncomeMultiplePercent: integer(100, 400),
  extremePovertyMultiplePercent: integer(100, 300),
  financialAssetsLimitMonths: integer(0, 240),
  employmentCostDeduction: object({ basis: oneOf('income', 'standard'), percent, capFen: nullable(fen) }),
  rigidExpenditureDeduction: list(
    also(object({ category: oneOf('illness', 'disability', 'schooling'), fromFen: fen, toFen: nullable(fen), percent }), (t: { fromFen: number; toFen: number | null }) =>
      t.toFen !== null && t.toFen <= t.fromFen ? 'toFen must be above fromFen' : undefined,
    ),
  ),
  basicPensionExcluded: boolean,
  disabledAdultSupportExempt: boolean,
  singlePersonHousehold: object({ enabled: boolean, disabilityGrades: list(integer(1, 4)), intellectualOrMentalGrade3: boolean, seriousIllness: boolean }),
  benefit: also(
    object({
      method: oneOf('gap', 'bands'),
      bands: list(object({ upToGapFen: fen, amountPerMemberFen: fen })),
      roundTo: oneOf('fen', 'jiao', 'yuan'),
      rounding: oneOf('up', 'down', 'half-up'),
      minimumFen: fen,
    }),
    (b: { method: string; bands: { upToGapFen: number; amountPerMemberFen: number }[] }) => {
      if (b.method === 'bands' && b.bands.length === 0) return 'the bands method needs at least one band';
      const ascending = b.bands.every((band, i) => i === 0 || band.upToGapFen > b.bands[i - 1]!.upToGapFen);
      if (!ascending) return 'bands must be in ascending order of upToGapFen';
      // A poorer household (larger gap) never gets less: more income must never mean a larger benefit.
      const rising = b.bands.every((band, i) => i === 0 || band.amountPerMemberFen >= b.bands[i - 1]!.amountPerMemberFen);
      return rising ? undefined : 'band amounts must not fall as the gap grows';
    },
  ),
  gradualExitMonths: also(object({ min: integer(0, 36), max: integer(0, 36) }), (m: { min: number; max: number }) => (m.max < m.min ? 'max must not be below min' : undefined)),
  villageReviewRequired: boolean,
  noticeDays: integer(1, 30),
  procedureWorkingDays: integer(1, 90),
  procedureExtendedWorkingDays: integer(1, 120),
  investigationStartWorkingDays: integer(1, 30),
  acceptanceWorkingDays: integer(1, 30),
  materialsWorkingDays: integer(1, 60),
  followUpWorkingDays: integer(1, 30),
  samplingReviewWorkingDays: integer(1, 60),
  refusalNoticeWorkingDays: integer(1, 30),
  hearingWorkingDays: integer(1, 60),
  administrativeReview: also(object({ body: text, days: integer(1, 365) }), countyPlaceholderOnly),
  administrativeLitigation: also(object({ body: text, months: integer(1, 24) }), countyPlaceholderOnly),
  sampling: object({ ratioPercent: percent, relativesRatioPercent: percent, period: oneOf('monthly', 'quarterly') }),
  temporaryAidReplyHours: integer(1, 240),
  emergencyAidHours: integer(1, 240),
  rescueFirstLimitFen: fen,
  reserveFundLowBalanceFen: fen,
  reserveFundReplenishmentWorkingDays: integer(1, 60),
  townshipApprovalLimitFen: fen,
  countyApprovalCapFen: fen,
  paperworkWorkingDays: integer(1, 60),
  temporaryAidApprovalWorkingDays: integer(1, 60),
  instalmentMaxMonths: integer(1, 24),
  temporaryAidAmounts: list(
    object({ type: oneOf('emergency', 'expenditure'), severity: oneOf('general', 'serious', 'major'), multipleOfStandardPercent: integer(1, 10_000) }),
    1,
  ),
  unemployedAid: object({ monthsWithoutIncome: integer(1, 24), multipleOfStandardPercent: integer(1, 10_000) }),
  paymentCalendar: also(
    object({ dataByDay: integer(1, 28), fundsByDay: integer(1, 28), creditedByDay: integer(1, 28), holidayDirection: oneOf('previous', 'next') }),
    (c: { dataByDay: number; fundsByDay: number; creditedByDay: number }) =>
      c.dataByDay <= c.fundsByDay && c.fundsByDay <= c.creditedByDay ? undefined : 'the days must be in order: data ≤ funds ≤ credited',
  ),
};

export const PARAMETER_NAMES = Object.keys(PARAMETER_CHECKS) as ParameterName[];

/** Checks one cited parameter: its value, its source, and a reason when provisional. */
export function checkCited(name: string, cited: unknown): string[] {
  const path = name;
  if (typeof cited !== 'object' || cited === null || !('value' in cited)) return [`${path} must be { value, source }`];
  const { value, source, provisional, ...rest } = cited as Cited<unknown> & Record<string, unknown>;
  const check = PARAMETER_CHECKS[name as ParameterName];
  const problems = check ? check(value, `${path}.value`) : [`${path} is not a known parameter`];
  if (!source || typeof source !== 'object' || !(source as Source).document?.trim?.() || !(source as Source).passage?.trim?.()) {
    problems.push(`${path} has no source (document and passage are required)`);
  }
  if (provisional !== undefined && (typeof provisional !== 'string' || !provisional.trim())) problems.push(`${path}.provisional must say why the value is provisional`);
  problems.push(...Object.keys(rest).map((field) => `${path}.${field} is not a known field`));
  return problems;
}
