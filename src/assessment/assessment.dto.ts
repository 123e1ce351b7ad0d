import { applyDecorators } from '@nestjs/common';
import { IsCalendarDate } from '../common/calendar-date';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { REGION_CODE_PATTERN } from '../auth/region';
import type { FieldProblem } from '../common/problem';
import { AgreesWithIdNumber, IsIdNumber } from '../common/id-number';

/**
 * A household as the API receives it for an assessment. Money is integer fen, per month. Validation names each bad
 * field (members[1].disability.grade); cross-references (an income of an unknown member) are checked by the handler.
 */

const MAX_FEN = 100_000_000_00;
const RELATIONS = ['applicant', 'spouse', 'child', 'parent', 'sibling', 'grandparent', 'grandchild', 'other'] as const;
const DISABILITY_TYPES = ['physical', 'visual', 'hearing', 'speech', 'intellectual', 'mental', 'multiple'] as const;
const INCOME_CATEGORIES = ['wages', 'business', 'property', 'transfer', 'support', 'basicPension', 'other'] as const;
const PAYER_RELATIONS = ['sibling', 'parent', 'child', 'other'] as const;
const EXPENDITURE_CATEGORIES = ['illness', 'disability', 'schooling'] as const;

/** An amount of money: integer fen, not negative. */
function IsFen(): PropertyDecorator {
  return applyDecorators(
    IsInt({ message: '$property must be an integer amount in fen' }),
    Min(0, { message: '$property must not be negative' }),
    Max(MAX_FEN, { message: `$property must be at most ${MAX_FEN} fen` }),
  );
}

export class DisabilityDto {
  @ApiProperty({ enum: [1, 2, 3, 4], description: '残疾等级 disability grade (1 most severe)' })
  @IsIn([1, 2, 3, 4], { message: 'grade must be one of 1, 2, 3, 4' })
  grade!: 1 | 2 | 3 | 4;

  @ApiProperty({ enum: DISABILITY_TYPES })
  @IsIn(DISABILITY_TYPES, { message: `type must be one of ${DISABILITY_TYPES.join(', ')}` })
  type!: (typeof DISABILITY_TYPES)[number];
}

export class MemberDto {
  @ApiProperty({ example: 'm1', description: 'Reference used by incomes and expenditures' })
  @IsString()
  @Length(1, 40)
  id!: string;

  @ApiProperty({ example: '410821199003071238' })
  @IsIdNumber()
  idNumber!: string;

  @ApiProperty({ example: 34, description: 'Age in years: may not contradict the birth date in idNumber (one year either way)' })
  @IsInt()
  @Min(0)
  @Max(130)
  @AgreesWithIdNumber('idNumber')
  age!: number;

  @ApiProperty({ enum: RELATIONS })
  @IsIn(RELATIONS, { message: `relation must be one of ${RELATIONS.join(', ')}` })
  relation!: (typeof RELATIONS)[number];

  @ApiPropertyOptional({ type: DisabilityDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => DisabilityDto)
  disability?: DisabilityDto;

  @ApiProperty({ description: '重病 serious illness' })
  @IsBoolean()
  seriousIllness!: boolean;

  @ApiProperty({ description: '在校 in school' })
  @IsBoolean()
  inSchool!: boolean;

  @ApiProperty({ description: '就业 employed' })
  @IsBoolean()
  employed!: boolean;
}

export class PayerDto {
  @ApiProperty({ enum: PAYER_RELATIONS })
  @IsIn(PAYER_RELATIONS, { message: `relation must be one of ${PAYER_RELATIONS.join(', ')}` })
  relation!: (typeof PAYER_RELATIONS)[number];

  @ApiProperty({ example: 62 })
  @IsInt()
  @Min(0)
  @Max(130)
  age!: number;
}

export class IncomeDto {
  @ApiProperty({ example: 'm1' })
  @IsString()
  memberId!: string;

  @ApiProperty({ enum: INCOME_CATEGORIES })
  @IsIn(INCOME_CATEGORIES, { message: `category must be one of ${INCOME_CATEGORIES.join(', ')}` })
  category!: (typeof INCOME_CATEGORIES)[number];

  @ApiProperty({ example: 150000, description: 'fen per month' })
  @IsFen()
  monthlyFen!: number;

  @ApiPropertyOptional({ type: PayerDto, description: 'Who pays support (category support)' })
  @IsOptional()
  @ValidateNested()
  @Type(() => PayerDto)
  payer?: PayerDto;
}

export class ExpenditureDto {
  @ApiProperty({ example: 'm2' })
  @IsString()
  memberId!: string;

  @ApiProperty({ enum: EXPENDITURE_CATEGORIES })
  @IsIn(EXPENDITURE_CATEGORIES, { message: `category must be one of ${EXPENDITURE_CATEGORIES.join(', ')}` })
  category!: (typeof EXPENDITURE_CATEGORIES)[number];

  @ApiProperty({ example: 60000, description: 'fen per month' })
  @IsFen()
  monthlyFen!: number;
}

export class AssetsDto {
  @ApiProperty({ example: 1000000, description: 'Deposits and other financial assets of the household, fen' })
  @IsFen()
  financialFen!: number;
}

/** What a household has and spends, per month: shared by assessments and applications. */
/** A household's monthly incomes, rigid expenditures and assets. */
export abstract class HouseholdFinancesDto {
  @ApiProperty({ type: [IncomeDto] })
  @IsArray()
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  @Type(() => IncomeDto)
  incomes!: IncomeDto[];

  @ApiProperty({ type: [ExpenditureDto] })
  @IsArray()
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  @Type(() => ExpenditureDto)
  expenditures!: ExpenditureDto[];

  @ApiProperty({ type: AssetsDto })
  @ValidateNested()
  @Type(() => AssetsDto)
  assets!: AssetsDto;
}

export abstract class HouseholdMoneyDto extends HouseholdFinancesDto {
  @ApiProperty({ enum: ['urban', 'rural'] })
  @IsIn(['urban', 'rural'], { message: 'area must be urban or rural' })
  area!: 'urban' | 'rural';
}

export class AssessmentRequestDto extends HouseholdMoneyDto {
  /** Read by the request pipe (src/common/request-validation.ts), reported with the field rules' problems. */
  static crossFieldProblems(body: unknown): FieldProblem[] {
    return householdReferenceProblems(body);
  }

  @ApiProperty({ example: '410821100', description: 'Region of the case: decides the policy profile' })
  @Matches(REGION_CODE_PATTERN, { message: 'region must be a 6-, 9- or 12-digit region code' })
  region!: string;

  @ApiPropertyOptional({ example: '2026-11-23', description: 'Acceptance date: decides the profile version (default today, Asia/Shanghai)' })
  @IsOptional()
  @IsCalendarDate()
  date?: string;

  @ApiProperty({ type: [MemberDto] })
  @IsArray()
  @ArrayMinSize(1, { message: 'members must list at least one member' })
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => MemberDto)
  members!: MemberDto[];
}

/** An object's fields, or undefined: cross-field rules read raw bodies, whose shape the field rules have not vouched for. */
const record = (value: unknown): Record<string, unknown> | undefined => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined);
/** A list's items as records (undefined where an item is not an object), by index; not a list: none. */
export const records = (value: unknown): (Record<string, unknown> | undefined)[] => (Array.isArray(value) ? value.map(record) : []);

/**
 * Member ids and ID numbers are unique, and every income and expenditure belongs to a listed member. Reads any shape
 * (the request pipe runs it beside the field rules, on the raw body): a field of the wrong type is skipped here.
 */
export function householdReferenceProblems(body: unknown): FieldProblem[] {
  const household = record(body) ?? {};
  const ids = new Set<string>();
  const idNumbers = new Map<string, number>();
  const problems: FieldProblem[] = [];
  records(household.members).forEach((member, i) => {
    if (typeof member?.id !== 'string') return;
    if (ids.has(member.id)) problems.push({ field: `members[${i}].id`, message: `member id "${member.id}" is used twice` });
    ids.add(member.id);
    if (typeof member.idNumber !== 'string') return;
    // One person is one member: the same ID number twice would count a person (and their income) twice. Never echoed.
    const first = idNumbers.get(member.idNumber);
    if (first !== undefined) problems.push({ field: `members[${i}].idNumber`, message: `members[${i}].idNumber is the ID number of members[${first}] already` });
    else idNumbers.set(member.idNumber, i);
  });
  for (const list of ['incomes', 'expenditures'] as const) {
    records(household[list]).forEach((entry, i) => {
      if (typeof entry?.memberId === 'string' && !ids.has(entry.memberId)) problems.push({ field: `${list}[${i}].memberId`, message: `no member with id "${entry.memberId}"` });
    });
  }
  return problems;
}

export class SourceView {
  @ApiProperty({ example: '社会救助法 §18', description: "A seed file name, or a law's articles" }) document!: string;
  @ApiProperty({ example: 'gist: dibao is paid monthly, by the gap method or by bands (按月发放，差额或分档)', description: "The passage quoted exactly, or the article's gist" }) passage!: string;
}

/** One step of an assessment: the parameter applied (or plain arithmetic), in words, with its amount and citation. */
export class AssessmentStepView {
  @ApiProperty({ example: 'dibaoStandardRuralFen', description: 'The parameter applied, or `sum` for plain arithmetic' }) rule!: string;
  @ApiProperty({ example: '适用农村低保标准 / Applicable rural dibao standard: ¥600.00 per person per month' }) description!: string;
  @ApiPropertyOptional({ type: 'integer', example: 60000, description: 'fen' }) amountFen?: number;
  @ApiPropertyOptional({ type: SourceView, description: 'The citation of the parameter applied (absent for `sum`)' }) source?: SourceView;
}

export class SinglePersonMemberView {
  @ApiProperty({ example: 'm2' }) memberId!: string;
  @ApiProperty({ description: 'Why this member qualifies (and was chosen)' }) reason!: string;
  @ApiProperty({ type: 'integer', example: 0, description: "The member's own countable income, fen, assessed as a household of one" }) countableIncomeFen!: number;
}

/** What the profile in force would decide for the household (src/assessment/assess.ts's AssessmentResult). */
export class AssessmentAnswer {
  @ApiProperty({ example: 'jiaozuo' }) profileId!: string;
  @ApiProperty({ example: '焦作市 Jiaozuo (Henan)' }) profileName!: string;
  @ApiProperty({ example: 'jiaozuo-2022-154' }) versionId!: string;
  @ApiProperty({ enum: ['eligible', 'single-person', 'marginal', 'not-eligible'], example: 'eligible' }) outcome!: string;
  @ApiPropertyOptional({ type: SinglePersonMemberView, description: 'For a single-person outcome: the member enrolled alone' }) singlePersonMember?: SinglePersonMemberView;
  @ApiProperty({ type: 'integer', example: 2 }) householdSize!: number;
  @ApiProperty({ type: 'integer', example: 22000, description: 'fen per month' }) countableIncomeFen!: number;
  @ApiProperty({ type: 'integer', example: 11000, description: 'fen per month, rounded down' }) perCapitaIncomeFen!: number;
  @ApiProperty({ type: 'integer', example: 60000, description: 'The standard applied, fen per person per month' }) standardFen!: number;
  @ApiProperty({ type: 'integer', example: 98000, description: 'The monthly benefit, fen' }) benefitFen!: number;
  @ApiProperty({ type: [String], description: 'Why, in plain words, Chinese / English' }) reasons!: string[];
  @ApiProperty({ type: [AssessmentStepView] }) steps!: AssessmentStepView[];
}
