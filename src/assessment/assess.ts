import { DomainError } from '../common/domain-error';
import type { ParameterName, PolicyParameters, RigidCategory, Source } from '../policy/parameters';
import type { ResolvedProfile } from '../policy/policy-profiles';
import type { AssessmentInput, DisabilityType, Expenditure, FigureSource, Income, IncomeCategory, Member } from './household';

/**
 * The dibao income assessment (PROCEDURES.md, "Income assessment (dibao)"): countable income, per-capita income,
 * outcome (whole household, single-person household, marginal, not eligible) and the monthly benefit, as a pure
 * function of a household and one resolved profile version. Every inclusion, exclusion, deduction, comparison and
 * rounding is a step that cites the parameter it applied, so a family (and an auditor) can follow the sum.
 *
 * Arithmetic and boundary rules (the tests pin each one):
 * - Money is integer fen throughout; a percentage of an amount is computed exactly in BigInt and then ROUNDED DOWN
 *   to the fen (`percentOf`). Deductions are maxima in the notices ("原则上扣减额度不超过总收入30%"), so a deduction
 *   never exceeds its stated share; the difference is below one fen per deduction.
 * - Rigid-expenditure tiers are applied to the household's total spending per category; each tier's deduction is
 *   rounded down on its own.
 * - The employment-cost cap (`capFen`) is per household per month. With basis `standard`, each employed member's
 *   deduction is the share of the standard, but never more than that member's own wages + business income.
 * - Deductions never make countable income negative: the rigid deduction is limited to what is left after the
 *   employment-cost deduction.
 * - Per-capita income is countable income ÷ household size ROUNDED DOWN to the fen, so 0 ≤ countable − pc × size
 *   < size. Every comparison (standard, marginal and low-income lines) uses the exact, unrounded per-capita value
 *   (countable income against line × size), so rounding never changes an outcome.
 * - Eligible means strictly below the standard: per-capita income exactly at the standard is NOT eligible, one fen
 *   below is. Financial assets exactly at the limit (months × standard × size) are within it; one fen above is not.
 * - The asset limit gates both dibao outcomes (whole household and single-person). The marginal outcome is decided
 *   on income alone (the profile has no marginal asset limit); a reason says so when assets are above the dibao limit.
 * - Single-person household: the member is assessed as a household of one (their own incomes and expenditures, the
 *   same rules) and must have countable income below the standard. Among qualifying members the one with the lowest
 *   own countable income (the largest benefit) is chosen, then the most severe (lowest disability grade, then serious
 *   illness), then the smallest member id (code-unit order).
 * - Benefit, gap method: standard × size − countable income (single-person: standard − the member's own countable
 *   income), then rounded to the profile's unit (fen/jiao/yuan) and mode (up/down/half-up), then raised to
 *   `minimumFen`. Bands method: the per-capita gap (standard − rounded-down per-capita, or − the member's own income)
 *   picks the first band with upToGapFen ≥ gap, and a gap above every band takes the last band; amount per member ×
 *   size; no rounding (band amounts are already set). Not eligible and marginal households get 0.
 * - The result does not depend on the order of members, incomes or expenditures: all are processed in a canonical
 *   order (members by id; incomes and expenditures by member id, category, amount).
 */

/** The part of a resolved profile version the assessment reads (`ResolvedProfile` of the policy module fits). */
export type AssessmentProfile = Pick<ResolvedProfile, 'profileId' | 'versionId' | 'parameters'>;

export type Outcome = 'eligible' | 'single-person' | 'marginal' | 'not-eligible';

export interface AssessmentStep {
  /** The parameter applied, or `sum` for plain arithmetic. */
  rule: ParameterName | 'sum';
  /** Plain words, Chinese / English. */
  description: string;
  amountFen?: number;
  /** The citation of the parameter applied (absent for `sum`). */
  source?: Source;
}

export interface SinglePersonMember {
  memberId: string;
  /** Why this member qualifies (and was chosen). */
  reason: string;
  /** The member's own countable income, assessed as a household of one. */
  countableIncomeFen: number;
}

export interface AssessmentResult {
  profileId: string;
  versionId: string;
  outcome: Outcome;
  singlePersonMember?: SinglePersonMember;
  householdSize: number;
  countableIncomeFen: number;
  /** Rounded down to the fen. */
  perCapitaIncomeFen: number;
  standardFen: number;
  benefitFen: number;
  reasons: string[];
  steps: AssessmentStep[];
}

/** Input that cannot describe a household (the API should have refused it already). */
export class AssessmentInputError extends DomainError {
  constructor(message: string) {
    super('assessment-input-invalid', message, 422);
    this.name = 'AssessmentInputError';
  }
}

export function assess(input: AssessmentInput, profile: AssessmentProfile): AssessmentResult {
  validate(input);
  const p = profile.parameters;
  const steps: AssessmentStep[] = [];
  const step = stepper(profile, steps, '');

  const members = [...input.members].sort((a, b) => compareText(a.id, b.id));
  const incomes = [...input.incomes].sort(compareIncomes);
  const expenditures = [...input.expenditures].sort(compareExpenditures);
  const size = members.length;

  const standardRule = input.area === 'urban' ? 'dibaoStandardUrbanFen' : 'dibaoStandardRuralFen';
  const standard = p[standardRule].value;
  step(standardRule, `适用${input.area === 'urban' ? '城市' : '农村'}低保标准 / Applicable ${input.area} dibao standard: ${yuan(standard)} per person per month`, standard);
  step('sum', `家庭人口 ${size} 人 / Household of ${size}: ${members.map((m) => m.id).join(', ')}`);

  const household = countIncome(members, incomes, expenditures, standard, profile, step);
  const countable = household.countableFen;
  const perCapita = Math.floor(countable / size);
  step('sum', `人均收入 ${yuan(countable)} ÷ ${size} = ${yuan(perCapita)}（舍去不足一分）/ Per-capita income, rounded down to the fen`, perCapita);

  // Exact comparisons: per-capita < line  ⇔  countable × 100 < line% × standard × size.
  const belowStandard = BigInt(countable) < BigInt(standard) * BigInt(size);
  step(
    standardRule,
    belowStandard
      ? `人均收入 ${yuan(perCapita)} 低于标准 ${yuan(standard)} / Per-capita income is below the standard`
      : `人均收入 ${exactYuan(countable, size)} 不低于标准 ${yuan(standard)} / Per-capita income is not below the standard (at the standard is not below)`,
    perCapita,
  );

  const assetMonths = p.financialAssetsLimitMonths.value;
  const assetLimit = assetMonths * standard * size;
  const assetsWithin = input.assets.financialFen <= assetLimit;
  step(
    'financialAssetsLimitMonths',
    `金融资产 ${yuan(input.assets.financialFen)}${origin(input.assets.source)} ${assetsWithin ? '不超过' : '超过'}限额 ${assetMonths} 个月 × ${yuan(standard)} × ${size} 人 = ${yuan(assetLimit)} / Financial assets${originEn(input.assets.source)} ${assetsWithin ? 'within' : 'above'} the limit`,
    assetLimit,
  );

  const reasons: string[] = [];
  let outcome: Outcome;
  let singlePersonMember: SinglePersonMember | undefined;
  let benefitBasis: { rawGapFen: number; perCapitaGapFen: number; size: number; singlePerson: boolean } | undefined;

  if (belowStandard && assetsWithin) {
    outcome = 'eligible';
    reasons.push(`家庭人均收入 ${yuan(perCapita)} 低于低保标准 ${yuan(standard)}，金融资产在限额内，整户纳入低保 / Per-capita income is below the standard and assets are within the limit: the whole household is eligible`);
    benefitBasis = { rawGapFen: standard * size - countable, perCapitaGapFen: standard - perCapita, size, singlePerson: false };
  } else {
    if (!belowStandard) reasons.push(`家庭人均收入 ${exactYuan(countable, size)} 不低于低保标准 ${yuan(standard)} / Per-capita income is not below the standard`);
    if (!assetsWithin) reasons.push(`金融资产 ${yuan(input.assets.financialFen)} 超过限额 ${yuan(assetLimit)} / Financial assets are above the limit`);

    const marginalPercent = p.marginalMultiplePercent.value;
    const marginal = BigInt(countable) * 100n < BigInt(standard) * BigInt(marginalPercent) * BigInt(size);
    const marginalLine = lineYuan(standard, marginalPercent);
    step(
      'marginalMultiplePercent',
      marginal
        ? `人均收入低于边缘线 ${marginalPercent}% × ${yuan(standard)} = ${marginalLine} / Per-capita income is below the marginal line`
        : `人均收入不低于边缘线 ${marginalPercent}% × ${yuan(standard)} = ${marginalLine} / Per-capita income is not below the marginal line`,
      perCapita,
    );

    const single = marginal && assetsWithin ? chooseSinglePerson(members, incomes, expenditures, standard, standardRule, profile, step, reasons) : undefined;
    if (single) {
      outcome = 'single-person';
      singlePersonMember = single;
      // The route boundary is the law's (seed 000: a household eligible as a whole is enrolled as a whole, never one
      // member of it), so the benefit can jump here: the explanation says so instead of smoothing it.
      step(
        'singlePersonHousehold',
        `转入“单人户”路径：整户不符合条件，保障金额按成员 ${single.memberId} 单人核算，可能高于整户路径的金额 / Route changed to a single-person household: the household as a whole does not qualify, so the benefit is computed for member ${single.memberId} alone and can exceed what the whole-household route gives`,
      );
      reasons.push(`低保边缘家庭，成员 ${single.memberId} 参照“单人户”纳入低保 / Marginal household: member ${single.memberId} is admitted as a single-person household (${single.reason})`);
      benefitBasis = { rawGapFen: standard - single.countableIncomeFen, perCapitaGapFen: standard - single.countableIncomeFen, size: 1, singlePerson: true };
    } else if (marginal) {
      outcome = 'marginal';
      reasons.push(`人均收入低于边缘线 ${marginalLine}，为低保边缘家庭 / Per-capita income is below the marginal line: marginal household`);
      if (!assetsWithin) reasons.push('边缘家庭的财产条件由当地规定，本档案未设 / The asset test for marginal households is local and not in this profile: check it locally');
    } else {
      outcome = 'not-eligible';
      reasons.push(`人均收入不低于边缘线 ${marginalLine} / Per-capita income is not below the marginal line`);
    }

    const lowPercent = p.lowIncomeMultiplePercent.value;
    const lowIncome = BigInt(countable) * 100n < BigInt(standard) * BigInt(lowPercent) * BigInt(size);
    if (outcome !== 'single-person') {
      const lowLine = lineYuan(standard, lowPercent);
      step(
        'lowIncomeMultiplePercent',
        lowIncome
          ? `人均收入低于低收入线 ${lowPercent}% × ${yuan(standard)} = ${lowLine} / Per-capita income is below the low-income line`
          : `人均收入不低于低收入线 ${lowLine} / Per-capita income is not below the low-income line`,
        perCapita,
      );
      if (lowIncome) reasons.push(`人均收入低于低收入线 ${lowLine}，属低收入家庭 / Below the low-income line: a low-income household`);
    }
  }

  const benefitFen = benefitBasis ? benefit(benefitBasis, p.benefit.value, step) : 0;
  if (!benefitBasis) step('sum', '不发放低保金 / No dibao benefit', 0);

  return {
    profileId: profile.profileId,
    versionId: profile.versionId,
    outcome,
    ...(singlePersonMember ? { singlePersonMember } : {}),
    householdSize: size,
    countableIncomeFen: countable,
    perCapitaIncomeFen: perCapita,
    standardFen: standard,
    benefitFen,
    reasons,
    steps,
  };
}

type Step = (rule: ParameterName | 'sum', description: string, amountFen?: number) => void;

function stepper(profile: AssessmentProfile, steps: AssessmentStep[], prefix: string): Step {
  return (rule, description, amountFen) =>
    steps.push({
      rule,
      description: prefix + description,
      ...(amountFen === undefined ? {} : { amountFen }),
      ...(rule === 'sum' ? {} : { source: profile.parameters[rule].source }),
    });
}

interface IncomeCount {
  grossFen: number;
  employmentDeductionFen: number;
  rigidDeductionFen: number;
  countableFen: number;
}

const CATEGORY_NAMES: Record<IncomeCategory, [zh: string, en: string]> = {
  wages: ['工资性收入', 'wages'],
  business: ['经营净收入', 'business net income'],
  property: ['财产性收入', 'property income'],
  transfer: ['转移性收入', 'transfers'],
  support: ['赡养（抚养、扶养）费', 'support from relatives'],
  basicPension: ['城乡居民基本养老保险基础养老金', 'residents’ basic pension'],
  other: ['其他收入', 'other income'],
};

const RIGID_NAMES: Record<RigidCategory, string> = { illness: '因病', disability: '因残', schooling: '因学' };

const DISABILITY_NAMES: Record<DisabilityType, string> = {
  physical: '肢体',
  visual: '视力',
  hearing: '听力',
  speech: '言语',
  intellectual: '智力',
  mental: '精神',
  multiple: '多重',
};

const RIGID_ORDER: RigidCategory[] = ['illness', 'disability', 'schooling'];

/**
 * Steps 1–3 for a set of members (the household, or one member assessed alone): counted income, employment-cost
 * deduction, rigid-expenditure deduction, countable income.
 */
function countIncome(members: Member[], incomes: Income[], expenditures: Expenditure[], standard: number, profile: AssessmentProfile, step: Step): IncomeCount {
  const p = profile.parameters;
  const byId = new Map(members.map((m) => [m.id, m]));

  // 1. Counted income.
  let gross = 0;
  for (const income of incomes) {
    const member = byId.get(income.memberId)!;
    const [zh, en] = CATEGORY_NAMES[income.category];
    const what = `${member.id} ${zh} ${yuan(income.monthlyFen)}${origin(income.source)}`;
    const whatEn = `${member.id} ${en}${originEn(income.source)}`;
    if (income.category === 'basicPension') {
      if (p.basicPensionExcluded.value) {
        step('basicPensionExcluded', `不计入：${what}（基础养老金不计入收入）/ Not counted: ${whatEn}, the basic pension is excluded`, income.monthlyFen);
        continue;
      }
      step('basicPensionExcluded', `计入：${what}（本档案计入基础养老金）/ Counted: ${whatEn}, this profile counts the basic pension`, income.monthlyFen);
    } else if (income.category === 'support') {
      if (!p.disabledAdultSupportExempt.value) {
        step('disabledAdultSupportExempt', `计入：${what}（本档案无供养费豁免）/ Counted: ${whatEn}, this profile has no support exemption`, income.monthlyFen);
      } else {
        const unmet = supportExemptionUnmet(member, income);
        if (unmet.length === 0) {
          step(
            'disabledAdultSupportExempt',
            `不计入：${what}（${income.payer!.relation === 'sibling' ? '兄弟姐妹' : '60周岁及以上老年人'}供养成年无业重度残疾人）/ Not counted: ${whatEn} from a ${income.payer!.relation === 'sibling' ? 'sibling' : 'person aged 60+'} to a jobless severely disabled adult`,
            income.monthlyFen,
          );
          continue;
        }
        step('disabledAdultSupportExempt', `计入：${what}（不符合豁免：${unmet.join('；')}）/ Counted: ${whatEn}, the support exemption does not apply`, income.monthlyFen);
      }
    } else {
      step('sum', `计入：${what} / Counted: ${whatEn}`, income.monthlyFen);
    }
    gross += income.monthlyFen;
  }
  ensureSafe(gross);
  step('sum', `计入收入合计 ${yuan(gross)} / Counted income in total`, gross);

  // 2. Employment-cost deduction: wages and business income of employed members only.
  const employment = p.employmentCostDeduction.value;
  const ownEmploymentIncome = (member: Member) =>
    incomes.filter((i) => i.memberId === member.id && (i.category === 'wages' || i.category === 'business')).reduce((sum, i) => sum + i.monthlyFen, 0);
  let employmentDeduction = 0;
  for (const member of members) {
    if (!member.employed && ownEmploymentIncome(member) > 0) {
      step('employmentCostDeduction', `${member.id} 未登记就业，不扣减就业成本 / ${member.id} is not recorded as employed: no employment-cost deduction`);
    }
  }
  const employed = members.filter((m) => m.employed && ownEmploymentIncome(m) > 0);
  if (employment.basis === 'income') {
    const base = employed.reduce((sum, m) => sum + ownEmploymentIncome(m), 0);
    if (base > 0) {
      employmentDeduction = percentOf(base, employment.percent);
      step(
        'employmentCostDeduction',
        `扣减就业成本：就业成员（${employed.map((m) => m.id).join(', ')}）工资和经营收入 ${yuan(base)} × ${employment.percent}% = ${yuan(employmentDeduction)}（舍去不足一分）/ Employment costs: ${employment.percent}% of employed members’ wages and business income, rounded down`,
        employmentDeduction,
      );
    }
  } else {
    const share = percentOf(standard, employment.percent);
    for (const member of employed) {
      const own = ownEmploymentIncome(member);
      const deduction = Math.min(share, own);
      employmentDeduction += deduction;
      step(
        'employmentCostDeduction',
        `扣减就业成本：${member.id} 按标准 ${yuan(standard)} × ${employment.percent}% = ${yuan(share)}${deduction < share ? `，以本人工资和经营收入 ${yuan(own)} 为限` : ''} / Employment costs of ${member.id}: ${employment.percent}% of the standard${deduction < share ? ', at most their own wages and business income' : ''}`,
        deduction,
      );
    }
  }
  if (employment.capFen !== null && employmentDeduction > employment.capFen) {
    step('employmentCostDeduction', `就业成本扣减以每户 ${yuan(employment.capFen)} 为限 / Employment-cost deduction capped at ${yuan(employment.capFen)} per household`, employment.capFen);
    employmentDeduction = employment.capFen;
  }

  // 3. Rigid-expenditure deduction: proportional tiers on each category's monthly household spending.
  const tiers = p.rigidExpenditureDeduction.value;
  let rigid = 0;
  for (const category of RIGID_ORDER) {
    const items = expenditures.filter((e) => e.category === category);
    if (items.length === 0) continue;
    const spent = items.reduce((sum, e) => sum + e.monthlyFen, 0);
    ensureSafe(spent);
    step('sum', `${RIGID_NAMES[category]}支出合计 ${yuan(spent)}（${items.map((e) => e.memberId).join(', ')}）/ ${category} spending in total`, spent);
    const ofCategory = tiers.filter((t) => t.category === category);
    if (ofCategory.length === 0) {
      step('rigidExpenditureDeduction', `本档案不扣减${RIGID_NAMES[category]}支出 / This profile deducts nothing for ${category}`, 0);
      continue;
    }
    for (const tier of ofCategory) {
      const upper = tier.toFen === null ? spent : Math.min(spent, tier.toFen);
      const part = Math.max(0, upper - tier.fromFen);
      if (part === 0) continue;
      const deduction = percentOf(part, tier.percent);
      rigid += deduction;
      const range = tier.toFen === null ? `${yuan(tier.fromFen)} 以上` : `${yuan(tier.fromFen)}–${yuan(tier.toFen)}`;
      step(
        'rigidExpenditureDeduction',
        `扣减${RIGID_NAMES[category]}支出：${range} 段内 ${yuan(part)} × ${tier.percent}% = ${yuan(deduction)}（舍去不足一分）/ ${category}: ${tier.percent}% of the spending in this tier, rounded down`,
        deduction,
      );
    }
  }
  const left = gross - employmentDeduction;
  if (rigid > left) {
    step('rigidExpenditureDeduction', `刚性支出扣减以剩余收入 ${yuan(left)} 为限，收入不为负 / Rigid-expenditure deduction limited to the income left: countable income is never negative`, left);
    rigid = left;
  }

  const countable = gross - employmentDeduction - rigid;
  step('sum', `可计算收入 ${yuan(gross)} − ${yuan(employmentDeduction)} − ${yuan(rigid)} = ${yuan(countable)} / Countable income after deductions`, countable);
  return { grossFen: gross, employmentDeductionFen: employmentDeduction, rigidDeductionFen: rigid, countableFen: countable };
}

/** Why support is not exempt (empty: exempt). Severe disability: grade 1–2, or grade 3 intellectual / mental. */
function supportExemptionUnmet(member: Member, income: Income): string[] {
  const unmet: string[] = [];
  const payer = income.payer;
  if (!payer) unmet.push('未说明给付人 / payer not stated');
  else if (payer.relation !== 'sibling' && payer.age < 60) unmet.push(`给付人非兄弟姐妹且未满60周岁（${payer.relation}, ${payer.age}）/ payer is neither a sibling nor aged 60+`);
  if (member.age < 18) unmet.push('受供养人未成年 / member is a minor');
  if (member.employed) unmet.push('受供养人有业 / member is employed');
  if (!severelyDisabled(member)) unmet.push('受供养人非重度残疾 / member is not severely disabled');
  return unmet;
}

function severelyDisabled(member: Member): boolean {
  const d = member.disability;
  return !!d && (d.grade <= 2 || (d.grade === 3 && isIntellectualOrMental(d.type)));
}

function isIntellectualOrMental(type: DisabilityType): boolean {
  return type === 'intellectual' || type === 'mental';
}

/** The single-person member (step 5), or undefined with the reasons and steps saying why none. */
function chooseSinglePerson(
  members: Member[],
  incomes: Income[],
  expenditures: Expenditure[],
  standard: number,
  standardRule: 'dibaoStandardUrbanFen' | 'dibaoStandardRuralFen',
  profile: AssessmentProfile,
  step: Step,
  reasons: string[],
): SinglePersonMember | undefined {
  const rule = profile.parameters.singlePersonHousehold.value;
  if (!rule.enabled) {
    step('singlePersonHousehold', '本档案不设“单人户” / This profile does not admit single-person households');
    return undefined;
  }
  const candidates = members
    .map((member) => ({ member, ...singlePersonCondition(member, rule) }))
    .filter((c): c is { member: Member; rank: number; reason: string } => c.rank !== undefined)
    .sort((a, b) => a.rank - b.rank || compareText(a.member.id, b.member.id));
  if (candidates.length === 0) {
    step('singlePersonHousehold', '无成员符合“单人户”条件（重度残疾或重病）/ No member qualifies for a single-person household');
    reasons.push('无成员符合“单人户”条件 / No member qualifies for a single-person household');
    return undefined;
  }
  // Each qualifying member is assessed as a household of one; the one whose own income is lowest (the largest
  // benefit) is chosen, then the most severe, then by id: the notices do not say which, so the family's favour
  // decides, and more income of one member can never pass the choice to a member with a larger benefit.
  const assessed = candidates.map((candidate) => {
    const own: AssessmentStep[] = [];
    const count = countIncome(
      [candidate.member],
      incomes.filter((i) => i.memberId === candidate.member.id),
      expenditures.filter((e) => e.memberId === candidate.member.id),
      standard,
      profile,
      stepper(profile, own, `单人户 ${candidate.member.id}：`),
    );
    return { ...candidate, own, countableFen: count.countableFen };
  });
  for (const { member, reason, countableFen } of assessed.filter((a) => a.countableFen >= standard)) {
    step(standardRule, `${member.id} 符合条件（${reason}）但本人收入 ${yuan(countableFen)} 不低于标准 / ${member.id} qualifies but their own income is not below the standard`, countableFen);
    reasons.push(`${member.id} 本人收入不低于标准，不能按“单人户”纳入 / ${member.id}: own income is not below the standard`);
  }
  const below = assessed.filter((a) => a.countableFen < standard).sort((a, b) => a.countableFen - b.countableFen || a.rank - b.rank || compareText(a.member.id, b.member.id));
  const chosen = below[0];
  if (!chosen) return undefined;
  const { member, reason, own, countableFen } = chosen;
  step('singlePersonHousehold', `${member.id} 符合“单人户”条件：${reason} / ${member.id} qualifies for a single-person household`);
  own.forEach((s) => step(s.rule, s.description, s.amountFen));
  step(standardRule, `单人户 ${member.id}：本人收入 ${yuan(countableFen)} 低于标准 ${yuan(standard)} / The member’s own income is below the standard`, countableFen);
  const others = below.slice(1).map((c) => c.member.id);
  if (others.length) {
    reasons.push(`另有成员 ${others.join(', ')} 符合条件，选定本人收入最低（救助金最高）的 ${member.id} / Also qualifying: ${others.join(', ')}; ${member.id} chosen for the lowest own income (the largest benefit), then severity, then id`);
  }
  return { memberId: member.id, reason, countableIncomeFen: countableFen };
}

/** The member's qualifying condition and its rank (lower is more severe: disability grade, then 5 for serious illness). */
function singlePersonCondition(member: Member, rule: PolicyParameters['singlePersonHousehold']): { rank?: number; reason?: string } {
  const d = member.disability;
  const found: { rank: number; zh: string; en: string }[] = [];
  if (d && (rule.disabilityGrades.includes(d.grade) || (d.grade === 3 && isIntellectualOrMental(d.type) && rule.intellectualOrMentalGrade3))) {
    found.push({ rank: d.grade, zh: `${DISABILITY_NAMES[d.type]}残疾${d.grade}级`, en: `grade ${d.grade} ${d.type} disability` });
  }
  if (member.seriousIllness && rule.seriousIllness) found.push({ rank: 5, zh: '重病患者', en: 'seriously ill' });
  if (found.length === 0) return {};
  return { rank: Math.min(...found.map((f) => f.rank)), reason: `${found.map((f) => f.zh).join('，')} / ${found.map((f) => f.en).join(', ')}` };
}

/** Step 6: the monthly benefit for an eligible household or single-person member. */
function benefit(basis: { rawGapFen: number; perCapitaGapFen: number; size: number; singlePerson: boolean }, rule: PolicyParameters['benefit'], step: Step): number {
  let amount: number;
  if (rule.method === 'gap') {
    step(
      'benefit',
      basis.singlePerson
        ? `差额：标准 − 本人可计算收入 = ${yuan(basis.rawGapFen)} / Gap: standard − the member’s own countable income`
        : `差额：标准 × 人数 − 可计算收入 = ${yuan(basis.rawGapFen)} / Gap: standard × size − countable income`,
      basis.rawGapFen,
    );
    amount = roundFen(basis.rawGapFen, rule.roundTo, rule.rounding);
    step(
      'benefit',
      `按${UNIT_NAMES[rule.roundTo]}${MODE_NAMES[rule.rounding]}：${yuan(basis.rawGapFen)} → ${yuan(amount)} / Rounded ${rule.rounding} to the ${rule.roundTo}`,
      amount,
    );
  } else {
    const index = rule.bands.findIndex((band) => band.upToGapFen >= basis.perCapitaGapFen);
    const band = rule.bands[index === -1 ? rule.bands.length - 1 : index]!;
    amount = band.amountPerMemberFen * basis.size;
    step(
      'benefit',
      `分档：人均差额 ${yuan(basis.perCapitaGapFen)} ${index === -1 ? `超过各档，取最高档` : `不超过 ${yuan(band.upToGapFen)}`}，每人 ${yuan(band.amountPerMemberFen)} × ${basis.size} 人 = ${yuan(amount)} / Bands: the per-capita gap picks this band; amount per member × size`,
      amount,
    );
  }
  if (amount < rule.minimumFen) {
    step('benefit', `不足最低发放额，按 ${yuan(rule.minimumFen)} 发放 / Raised to the minimum benefit`, rule.minimumFen);
    amount = rule.minimumFen;
  }
  return amount;
}

const UNIT_FEN = { fen: 1, jiao: 10, yuan: 100 } as const;
const UNIT_NAMES = { fen: '分', jiao: '角', yuan: '元' } as const;
const MODE_NAMES = { up: '向上取整', down: '向下取整', 'half-up': '四舍五入' } as const;

/** Rounds a non-negative amount to the unit: up, down, or half up (half a unit rounds up). */
export function roundFen(fen: number, roundTo: 'fen' | 'jiao' | 'yuan', rounding: 'up' | 'down' | 'half-up'): number {
  const unit = UNIT_FEN[roundTo];
  const rest = fen % unit;
  if (rest === 0) return fen;
  const down = fen - rest;
  if (rounding === 'down') return down;
  if (rounding === 'up') return down + unit;
  return rest * 2 >= unit ? down + unit : down;
}

/** `percent`% of a non-negative amount, exact in BigInt, rounded down to the fen. */
function percentOf(fen: number, percent: number): number {
  return Number((BigInt(fen) * BigInt(percent)) / 100n);
}

function ensureSafe(fen: number): void {
  if (!Number.isSafeInteger(fen)) throw new AssessmentInputError('the amounts add up to more than can be counted exactly');
}

/** （申报）/（核实）after a figure whose source is known; nothing otherwise. */
function origin(source: FigureSource | undefined): string {
  return source === 'verified' ? '（核实）' : source === 'declared' ? '（申报）' : '';
}

function originEn(source: FigureSource | undefined): string {
  return source ? ` (${source})` : '';
}

function yuan(fen: number): string {
  return `¥${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
}

/** countable ÷ size in yuan, to the hundredth of a fen, for saying why an exact comparison came out as it did. */
function exactYuan(countable: number, size: number): string {
  return size === 1 || countable % size === 0 ? yuan(countable / size) : `${yuan(Math.floor(countable / size))}…`;
}

/** percent% × standard, in yuan, with the fractions of a fen when there are some. */
function lineYuan(standard: number, percent: number): string {
  const hundredthsOfFen = standard * percent;
  const fen = Math.floor(hundredthsOfFen / 100);
  const rest = hundredthsOfFen % 100;
  return rest === 0 ? yuan(fen) : `${yuan(fen)}${String(rest).padStart(2, '0').replace(/0$/, '')}`;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareIncomes(a: Income, b: Income): number {
  return (
    compareText(a.memberId, b.memberId) ||
    compareText(a.category, b.category) ||
    a.monthlyFen - b.monthlyFen ||
    compareText(a.payer?.relation ?? '', b.payer?.relation ?? '') ||
    (a.payer?.age ?? -1) - (b.payer?.age ?? -1)
  );
}

function compareExpenditures(a: Expenditure, b: Expenditure): number {
  return compareText(a.memberId, b.memberId) || compareText(a.category, b.category) || a.monthlyFen - b.monthlyFen;
}

function validate(input: AssessmentInput): void {
  const fail = (message: string): never => {
    throw new AssessmentInputError(message);
  };
  if (input.area !== 'urban' && input.area !== 'rural') fail(`area must be urban or rural (got ${JSON.stringify(input.area)})`);
  if (!Array.isArray(input.members) || input.members.length === 0) fail('a household has at least one member');
  const ids = new Set<string>();
  input.members.forEach((m, i) => {
    if (typeof m.id !== 'string' || m.id === '') fail(`members[${i}] has no id`);
    if (ids.has(m.id)) fail(`members[${i}]: member id "${m.id}" appears twice`);
    ids.add(m.id);
    if (!Number.isInteger(m.age) || m.age < 0) fail(`members[${i}].age must be a whole number of years, not negative (got ${m.age})`);
  });
  const amount = (value: number, path: string) => {
    if (!Number.isSafeInteger(value) || value < 0) fail(`${path} must be a whole, non-negative number of fen (got ${value})`);
  };
  (input.incomes ?? fail('incomes are missing')).forEach((income, i) => {
    if (!ids.has(income.memberId)) fail(`incomes[${i}] belongs to unknown member "${income.memberId}"`);
    amount(income.monthlyFen, `incomes[${i}].monthlyFen`);
    if (income.payer && (!Number.isInteger(income.payer.age) || income.payer.age < 0)) fail(`incomes[${i}].payer.age must be a whole number of years, not negative`);
  });
  (input.expenditures ?? fail('expenditures are missing')).forEach((expenditure, i) => {
    if (!ids.has(expenditure.memberId)) fail(`expenditures[${i}] belongs to unknown member "${expenditure.memberId}"`);
    amount(expenditure.monthlyFen, `expenditures[${i}].monthlyFen`);
  });
  amount(input.assets?.financialFen, 'assets.financialFen');
}
