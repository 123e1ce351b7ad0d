import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CurrentStepView } from '../workflow/current-step.view';
import { PageQueryDto } from '../common/paging';
import { IsText } from '../common/text';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsOptional, IsString, Length, Matches, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { DisabilityDto, HouseholdFinancesDto, HouseholdMoneyDto, householdReferenceProblems, MemberDto, records } from '../assessment/assessment.dto';
import type { FieldProblem } from '../common/problem';

const CHANNELS = ['self', 'family', 'entrusted', 'village-committee'] as const;
const STATUSES = ['applied', 'awaiting-materials', 'accepted', 'in-notice', 'enrolled', 'refused', 'closed', 'terminated'] as const;
export type DibaoStatus = (typeof STATUSES)[number];

export class ApplicationMemberDto extends MemberDto {
  @ApiProperty({ example: '张三' })
  @IsText(50)
  name!: string;
}

/** An application (法§37): by the applicant, family, someone entrusted, or the village committee on their behalf. */
export class CreateApplicationDto extends HouseholdMoneyDto {
  /**
   * Exactly one applicant; unique member ids; incomes and expenditures of listed members. Read by the request pipe
   * (src/common/request-validation.ts), reported with the field rules' problems in one 400.
   */
  static crossFieldProblems(body: unknown): FieldProblem[] {
    const members = records((body as { members?: unknown } | null)?.members);
    const applicants = members.filter((m) => m?.relation === 'applicant').length;
    const problems = applicants === 1 || members.length === 0 ? [] : [{ field: 'members', message: `exactly one member must have relation "applicant" (found ${applicants})` }];
    return [...problems, ...householdReferenceProblems(body)];
  }

  @ApiProperty({ example: '410821100201', description: 'Village (12 digits) of household registration or residence' })
  @Matches(/^\d{12}$/, { message: 'regionCode must be a 12-digit village code' })
  regionCode!: string;

  @ApiProperty({ enum: CHANNELS })
  @IsIn(CHANNELS, { message: `channel must be one of ${CHANNELS.join(', ')}` })
  channel!: (typeof CHANNELS)[number];

  @ApiProperty({ enum: ['household', 'single-person'], description: 'Whole household, or a single-person household (单人户) request' })
  @IsIn(['household', 'single-person'], { message: 'requestType must be household or single-person' })
  requestType!: 'household' | 'single-person';

  @ApiProperty({ type: [ApplicationMemberDto] })
  @IsArray()
  @ArrayMinSize(1, { message: 'members must list at least one member' })
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => ApplicationMemberDto)
  members!: ApplicationMemberDto[];
}

export class MaterialsDto {
  @ApiProperty({ example: ['户口簿复印件', '残疾证复印件'], description: 'What was supplied' })
  @IsArray()
  @ArrayMinSize(1, { message: 'materials must list what was supplied' })
  @IsText(200, 1, { each: true })
  materials!: string[];
}

export class ObjectionDto {
  @ApiProperty({ example: '该户有一辆营运货车未申报' })
  @IsText(2000)
  text!: string;

  @ApiProperty({ example: '村民（匿名）', description: 'Who lodged it (may be anonymous)' })
  @IsText(100)
  lodgedBy!: string;
}

/** The household's money as a periodic review finds it (the members stay those of the case). */
export class ReviewDto extends HouseholdFinancesDto {
  @ApiProperty({ example: '入户复核：长子已在县城就业' })
  @IsText(2000)
  reviewNotes!: string;
}

export class ExtensionDto {
  @ApiProperty({ example: '需跨省核对外出务工收入' })
  @IsText(2000, 5, { message: 'reason must say why the procedure needs longer (5-2000 characters)' })
  reason!: string;
}

export const CASE_SORTS = ['appliedAt', 'caseNumber', 'applicantName', 'status', 'decidedAt'] as const;
export type CaseSort = (typeof CASE_SORTS)[number];
/** A full ID number, or the masked form the API shows (first 6 and last 4, 8 asterisks between). */
export const FULL_ID_NUMBER = /^\d{17}[\dX]$/;
export const MASKED_ID_NUMBER = /^\d{6}\*{8}\d{3}[\dX]$/;

export class CaseListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: '辖区（默认本人辖区）Region, 6-, 9- or 12-digit; defaults to the caller\'s', example: '410821100' })
  @IsOptional()
  @Matches(/^\d{6}(\d{3}(\d{3})?)?$/, { message: 'region must be a 6-, 9- or 12-digit region code' })
  region?: string;

  @ApiPropertyOptional({ enum: STATUSES, description: '案件状态 Case status', example: 'accepted' })
  @IsOptional()
  @IsIn(STATUSES, { message: `status must be one of ${STATUSES.join(', ')}` })
  status?: DibaoStatus;

  @ApiPropertyOptional({ description: '案件编号（从开头匹配）Case number, matched from its start', example: 'DB410821-2026-0000' })
  @IsOptional()
  @IsString()
  @MaxLength(40, { message: 'caseNumber must be at most 40 characters' })
  caseNumber?: string;

  @ApiPropertyOptional({ description: '申请人姓名（部分匹配）Part of the applicant\'s name', example: '建国' })
  @IsOptional()
  @IsString()
  @MinLength(1, { message: 'name must not be empty' })
  @MaxLength(50, { message: 'name must be at most 50 characters' })
  name?: string;

  @ApiPropertyOptional({
    description:
      '家庭成员身份证号：脱敏形式（前6后4），或完整18位（仅乡镇经办人、乡镇分管领导、县民政部门）An ID number of any member of the household: masked (first 6 and last 4, as the API shows it) by every role of this list; the full 18 characters only by township caseworkers, township leaders and county civil affairs (others 403)',
    example: '410821********0113',
  })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.trim().toUpperCase() : value))
  @Matches(new RegExp(`${FULL_ID_NUMBER.source}|${MASKED_ID_NUMBER.source}`), { message: 'idNumber must be 18 characters: a full ID number, or its masked form 410821********0113 (first 6, 8 asterisks, last 4)' })
  idNumber?: string;

  @ApiPropertyOptional({ enum: CASE_SORTS, default: 'appliedAt', description: '排序字段 Sort by (ties by id); default appliedAt, newest first', example: 'caseNumber' })
  @IsOptional()
  @IsIn(CASE_SORTS, { message: `sort must be one of ${CASE_SORTS.join(', ')}` })
  sort: CaseSort = 'appliedAt';
}

/** A line of the case list (the household's finances and members are on the case's own page). */
export class CaseListItem {
  @ApiProperty({ format: 'uuid', example: '0f8fad5b-d9cb-469f-a165-70867728950e' }) id!: string;
  @ApiProperty({ example: 'DB410821-2026-000001' }) caseNumber!: string;
  @ApiProperty({ example: '410821100201', description: 'Village' }) regionCode!: string;
  @ApiProperty({ example: '410821100' }) townshipCode!: string;
  @ApiProperty({ example: '410821' }) countyCode!: string;
  @ApiProperty({ enum: CHANNELS, example: 'village-committee' }) channel!: string;
  @ApiProperty({ enum: ['household', 'single-person'], example: 'household' }) requestType!: string;
  @ApiProperty({ enum: ['urban', 'rural'], example: 'rural' }) area!: string;
  @ApiProperty({ enum: STATUSES, example: 'accepted' }) status!: DibaoStatus;
  @ApiProperty({ example: '王建国' }) applicantName!: string;
  @ApiProperty({ nullable: true, type: String, example: 'jiaozuo-2022-154' }) profileVersionId!: string | null;
  @ApiProperty({ example: false }) relativesCase!: boolean;
  @ApiProperty({ example: false }) objectionRaised!: boolean;
  @ApiProperty({ nullable: true, type: Number, example: 52000, description: 'Monthly benefit in fen, once decided' }) benefitFen!: number | null;
  @ApiProperty({ type: String, format: 'date-time', example: '2026-12-01T02:00:00.000Z' }) appliedAt!: Date;
  @ApiProperty({ nullable: true, type: String, format: 'date-time', example: '2026-12-02T03:00:00.000Z' }) acceptedAt!: Date | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time', example: null }) decidedAt!: Date | null;
  @ApiProperty({ nullable: true, type: String, example: '2251799813685249' }) processInstanceKey!: string | null;
}

/** The answer to an application (201; `Location` names the case). */
export class ApplicationCreatedDto {
  @ApiProperty({ format: 'uuid', example: '0b6f7c1e-2a3d-4e5f-8a9b-0c1d2e3f4a5b' })
  caseId!: string;

  @ApiProperty({ example: '410821-2026-000001' })
  caseNumber!: string;

  @ApiProperty({ enum: STATUSES, example: 'applied' })
  status!: DibaoStatus;

  @ApiProperty({ type: String, nullable: true, example: '2251799813685249', description: 'null while the engine is down: the procedure starts later (outbox)' })
  processInstanceKey!: string | null;

  @ApiProperty({ format: 'date-time', description: 'When the township must have accepted or refused it' })
  acceptDueAt!: string;
}

export class CaseMemberView {
  @ApiProperty({ example: 'm1' }) id!: string;
  @ApiProperty({ example: '张三' }) name!: string;
  @ApiProperty({ example: '410821********1238', description: 'Masked' }) idNumber!: string;
  @ApiProperty({ example: 'applicant' }) relation!: string;
  @ApiProperty({ example: 36 }) age!: number;
  @ApiPropertyOptional({ type: DisabilityDto }) disability?: DisabilityDto;
  @ApiProperty({ example: false, description: '重病 Serious illness' }) seriousIllness!: boolean;
  @ApiProperty({ example: false, description: '在校 In school' }) inSchool!: boolean;
  @ApiProperty({ example: false, description: '就业 Employed' }) employed!: boolean;
  @ApiPropertyOptional({ format: 'date', example: '2026-07-03', description: 'Set by the monthly death-record comparison' }) diedOn?: string;
}

export class CaseNoticeView {
  @ApiProperty({ example: 'public', description: 'missing-materials, public, refusal, closure, termination, gradual-exit' }) kind!: string;
  @ApiProperty({ description: 'The notice as issued' }) text!: string;
  @ApiProperty({ format: 'date-time' }) issuedAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When a public notice ends' }) endsAt!: string | null;
}

export class CaseTimelineEvent {
  @ApiProperty({ example: 'applied' }) kind!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ example: 'caseworker-li' }) actorId!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, example: { channel: 'self', requestType: 'household' } }) details!: Record<string, unknown>;
}

/** A case as `GET /dibao/cases/{id}` answers it: its record (without the household's money), members with masked ID numbers, steps, deadlines, notices, timeline. */
export class CaseView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: '410821-2026-000001' }) caseNumber!: string;
  @ApiProperty({ enum: STATUSES }) status!: DibaoStatus;
  @ApiProperty({ example: '410821100201' }) regionCode!: string;
  @ApiProperty({ example: '410821100' }) townshipCode!: string;
  @ApiProperty({ example: '410821' }) countyCode!: string;
  @ApiProperty({ example: 'self' }) channel!: string;
  @ApiProperty({ enum: ['household', 'single-person'], example: 'household' }) requestType!: string;
  @ApiProperty({ enum: ['urban', 'rural'], example: 'rural' }) area!: string;
  @ApiProperty({ type: String, nullable: true, example: 'jiaozuo-2022-154', description: 'The policy version it was decided by' }) profileVersionId!: string | null;
  @ApiProperty({ description: "A relative of a township or village official's (近亲属备案)" }) relativesCase!: boolean;
  @ApiProperty({ description: 'An objection was lodged during the public notice' }) objectionRaised!: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) acceptedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) decidedAt!: string | null;
  @ApiProperty({ type: String, nullable: true, example: '东关村民委员会' }) regionName!: string | null;
  @ApiProperty({ type: String, nullable: true, example: '城关镇' }) townshipName!: string | null;
  @ApiProperty({ example: '张三' }) applicantName!: string;
  @ApiProperty({ type: Number, nullable: true, description: 'Monthly benefit, fen, once decided' }) benefitFen!: number | null;
  @ApiProperty({ type: String, nullable: true }) processInstanceKey!: string | null;
  @ApiProperty({ format: 'date-time' }) appliedAt!: string;
  @ApiProperty({ type: [CaseMemberView] }) members!: CaseMemberView[];
  @ApiProperty({ type: [CurrentStepView], nullable: true, description: 'Steps open now: who must act; null when the engine cannot say (it is down)' }) currentSteps!: CurrentStepView[] | null;
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true }, description: 'Deadlines neither met nor breached' }) openDeadlines!: object[];
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true }, description: 'Every deadline of the case' }) deadlines!: object[];
  @ApiProperty({ type: [CaseNoticeView] }) notices!: CaseNoticeView[];
  @ApiProperty({ type: [CaseTimelineEvent], description: "Events and the county's sampling reviews, in time order" }) timeline!: CaseTimelineEvent[];
}

/** A periodic review that decided at once (200): the benefit continues (perhaps changed) or ends gradually after work. */
export class ReviewDecided {
  @ApiProperty({ enum: ['continued', 'gradual-exit'], example: 'continued' }) outcome!: string;
  @ApiProperty({ type: 'integer', example: 98000, description: 'The monthly benefit from fromMonth, fen' }) benefitFen!: number;
  @ApiProperty({ format: 'date', example: '2026-11-01', description: 'The first unpaid month it applies from (its first day)' }) fromMonth!: string;
  @ApiPropertyOptional({ format: 'date', example: '2027-05-01', description: 'For a gradual exit: the first month no longer paid' }) untilMonth?: string;
}

/** A review that would reduce or end the benefit for another reason (202): the family is heard first (法§48). */
export class ReviewHearing {
  @ApiProperty({ enum: ['hearing'], example: 'hearing' }) outcome!: string;
  @ApiProperty({ type: 'integer', example: 98000, description: 'The benefit, unchanged until the hearing concludes, fen' }) benefitFen!: number;
  @ApiProperty({ format: 'date-time', description: 'When the hearing must have concluded' }) hearingDueAt!: string;
  @ApiProperty({ type: [String], description: "The assessment's reasons" }) reasons!: string[];
}
