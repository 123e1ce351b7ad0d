import type { RigidCategory } from '../policy/parameters';

/**
 * A household as the income assessment reads it. Money is integer fen per month. The API validates shapes and
 * ranges (assessment.dto.ts); `assess` still refuses input that cannot describe a household (AssessmentInputError).
 */

export type Area = 'urban' | 'rural';

export type Relation = 'applicant' | 'spouse' | 'child' | 'parent' | 'sibling' | 'grandparent' | 'grandchild' | 'other';

export type DisabilityType = 'physical' | 'visual' | 'hearing' | 'speech' | 'intellectual' | 'mental' | 'multiple';

export interface Disability {
  /** 残疾等级: 1 is the most severe. */
  grade: 1 | 2 | 3 | 4;
  type: DisabilityType;
}

export interface Member {
  /** Unique in the household; incomes and expenditures refer to it. */
  id: string;
  age: number;
  relation: Relation;
  disability?: Disability;
  /** 重病 */
  seriousIllness: boolean;
  /** 在校 */
  inSchool: boolean;
  /** 就业 */
  employed: boolean;
}

export type IncomeCategory = 'wages' | 'business' | 'property' | 'transfer' | 'support' | 'basicPension' | 'other';

/** Who pays a support payment (category `support`), as the disabled-adult exemption needs it. */
export interface SupportPayer {
  relation: 'sibling' | 'parent' | 'child' | 'other';
  age: number;
}

/** Where a figure came from: the family's declaration, or the investigation's verification. */
export type FigureSource = 'declared' | 'verified';

export interface Income {
  memberId: string;
  category: IncomeCategory;
  monthlyFen: number;
  payer?: SupportPayer;
  /** Named in the explanation when given. */
  source?: FigureSource;
}

export interface Expenditure {
  memberId: string;
  category: RigidCategory;
  monthlyFen: number;
}

export interface Assets {
  /** Deposits and other financial assets of the whole household, fen. */
  financialFen: number;
  /** Named in the explanation when given. */
  source?: FigureSource;
}

export interface AssessmentInput {
  /** Which dibao standard applies. */
  area: Area;
  /** At least one. */
  members: Member[];
  incomes: Income[];
  expenditures: Expenditure[];
  assets: Assets;
}
