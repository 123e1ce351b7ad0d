import type { AssessmentInput, Income, IncomeCategory, Member, Relation } from '../assessment/household';

/**
 * What the investigation verified (bpmn/forms/dibao-investigation.form), in fen. Pure functions: the assess worker
 * reads the form's values once, records them on the case's timeline (`investigated`) and assesses on them.
 */
export interface VerifiedFacts {
  investigators: string | null;
  homeVisitFindings: string | null;
  /** Each replaces the declared incomes of its member and category; one of a member and category not declared is added. */
  incomes: Income[];
  /** Replaces the declared financial assets; null: as declared. */
  financialFen: number | null;
}

const CATEGORIES: readonly IncomeCategory[] = ['wages', 'business', 'property', 'transfer', 'support', 'basicPension', 'other'];

const fen = (yuan: unknown): number | null => (typeof yuan === 'number' && Number.isFinite(yuan) && yuan >= 0 ? Math.round(yuan * 100) : null);
const text = (value: unknown): string | null => (typeof value === 'string' && value.trim() !== '' ? value.trim() : null);

/** The investigation form's values (amounts in yuan, checked by the form) as verified facts in fen. */
export function verifiedFactsFrom(variables: Record<string, unknown>): VerifiedFacts {
  const listed = Array.isArray(variables.verifiedIncomes) ? (variables.verifiedIncomes as Record<string, unknown>[]) : [];
  const incomes = listed.flatMap((item): Income[] => {
    const monthlyFen = fen(item?.monthlyYuan);
    const category = item?.category as IncomeCategory;
    if (typeof item?.memberId !== 'string' || !CATEGORIES.includes(category) || monthlyFen === null) return [];
    return [{ memberId: item.memberId, category, monthlyFen, source: 'verified' }];
  });
  return { investigators: text(variables.investigators), homeVisitFindings: text(variables.homeVisitFindings), incomes, financialFen: fen(variables.verifiedFinancialAssetsYuan) };
}

/**
 * The household's money as the assessment reads it: verified figures where the investigation recorded them, the
 * declared ones elsewhere, each marked with its source. A verified income of a member the household does not have
 * is left out (the form offers only the household's members).
 */
export function assessedMoney(declared: Omit<AssessmentInput, 'area' | 'members'>, verified: VerifiedFacts | undefined, memberIds: string[]): Omit<AssessmentInput, 'area' | 'members'> {
  const members = new Set(memberIds);
  const key = (income: Income) => `${income.memberId}/${income.category}`;
  // A verified support payment keeps the payer the family declared (the disabled-adult exemption reads it).
  const payers = new Map(declared.incomes.filter((income) => income.payer).map((income) => [key(income), income.payer]));
  const checked = (verified?.incomes ?? []).filter((income) => members.has(income.memberId)).map((income) => (payers.has(key(income)) ? { ...income, payer: payers.get(key(income)) } : income));
  const replaced = new Set(checked.map(key));
  return {
    incomes: [...declared.incomes.filter((income) => !replaced.has(key(income))).map((income) => ({ ...income, source: 'declared' as const })), ...checked],
    expenditures: declared.expenditures,
    assets: verified?.financialFen != null ? { financialFen: verified.financialFen, source: 'verified' } : { ...declared.assets, source: 'declared' },
  };
}

const RELATIONS: Record<Relation, string> = {
  applicant: '申请人',
  spouse: '配偶',
  child: '子女',
  parent: '父母',
  sibling: '兄弟姐妹',
  grandparent: '祖父母',
  grandchild: '孙子女',
  other: '其他',
};

/** The members the investigation form offers for a verified income: id and relation (the task context shows the names). */
export function memberOptions(members: Pick<Member, 'id' | 'relation'>[]): { label: string; value: string }[] {
  return members.map((m) => ({ label: `${RELATIONS[m.relation]}（${m.id}）`, value: m.id }));
}
