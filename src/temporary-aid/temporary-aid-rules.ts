import type { PolicyParameters } from '../policy/parameters';

/**
 * The pure rules of temporary aid (PROCEDURES.md §3): the amount from the profile's table, who approves it, and
 * the one-time aid for uninsured unemployed people. Money in integer fen.
 */

export type AidType = 'emergency' | 'expenditure' | 'unemployed';
export type Severity = 'general' | 'serious' | 'major';
export type Tier = 'rescue-first' | 'township' | 'county' | 'joint-meeting';

type Limits = Pick<PolicyParameters, 'rescueFirstLimitFen' | 'townshipApprovalLimitFen' | 'countyApprovalCapFen'>;

/**
 * Rescue first (先行救助, 法§50) when urgent and within the rescue-first limit; otherwise tiered approval (分级审批,
 * seed 001): up to the township limit the township, up to the county cap the county, above it a joint meeting
 * (一事一议, seeds 000/001). Each limit belongs to the lower tier: the limit itself is approved there.
 */
export function approvalTier(amountFen: number, urgent: boolean, limits: Limits): Tier {
  if (!Number.isSafeInteger(amountFen) || amountFen <= 0) throw new RangeError(`an amount must be a positive number of fen (got ${amountFen})`);
  if (urgent && amountFen <= limits.rescueFirstLimitFen) return 'rescue-first';
  if (amountFen <= limits.townshipApprovalLimitFen) return 'township';
  if (amountFen <= limits.countyApprovalCapFen) return 'county';
  return 'joint-meeting';
}

/** The table amount for a household: a multiple of the monthly dibao standard of its area, rounded to the fen. */
export function tableAmountFen(
  parameters: Pick<PolicyParameters, 'temporaryAidAmounts' | 'unemployedAid'>,
  aidType: AidType,
  severity: Severity,
  standardFen: number,
): number {
  const percent =
    aidType === 'unemployed'
      ? parameters.unemployedAid.multipleOfStandardPercent
      : parameters.temporaryAidAmounts.find((row) => row.type === aidType && row.severity === severity)?.multipleOfStandardPercent;
  if (percent === undefined) throw new RangeError(`the profile's amount table has no row for ${aidType} / ${severity}`);
  return Math.round((standardFen * percent) / 100);
}

export interface UnemploymentFacts {
  monthsWithoutIncome: number;
  hasSavings: boolean;
  unemploymentInsured: boolean;
}

/** Why an uninsured unemployed person does not qualify for the one-time aid (seeds 000, 001); empty when they do. */
export function unemployedAidProblems(facts: UnemploymentFacts | null, parameters: Pick<PolicyParameters, 'unemployedAid'>): string[] {
  if (!facts) return ['申请未提供失业情况（连续无收入月数、存款、失业保险） the request gives no unemployment facts'];
  const required = parameters.unemployedAid.monthsWithoutIncome;
  return [
    ...(facts.monthsWithoutIncome < required ? [`连续无收入${facts.monthsWithoutIncome}个月，不足${required}个月 without income for ${facts.monthsWithoutIncome} months, fewer than ${required}`] : []),
    ...(facts.hasSavings ? ['家庭有存款 the household has savings'] : []),
    ...(facts.unemploymentInsured ? ['已参加失业保险，应申领失业保险金 insured against unemployment: claim unemployment benefit'] : []),
  ];
}

/**
 * Splits an amount into monthly instalments that add up to it exactly: equal parts in fen, the remainder on the
 * last. At most `maxMonths` (the profile's instalmentMaxMonths).
 */
export function instalments(amountFen: number, months: number, maxMonths: number): number[] {
  if (!Number.isInteger(months) || months < 1 || months > maxMonths) throw new RangeError(`instalments must be from 1 to ${maxMonths} months (got ${months})`);
  if (amountFen < months) throw new RangeError(`${amountFen} fen cannot be split into ${months} monthly instalments`);
  const part = Math.floor(amountFen / months);
  return Array.from({ length: months }, (_, i) => (i === months - 1 ? amountFen - part * (months - 1) : part));
}
