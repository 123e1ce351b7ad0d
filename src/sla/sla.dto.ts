import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { REGION_CODE_PATTERN } from '../auth/region';
import { IsInstantOrDate } from '../common/instant-range';
import { PageQueryDto } from '../common/paging';
import { DEADLINE_SORTS, type DeadlineSort, type DeadlineStatus } from '../deadlines/deadline-queries';

const DEADLINE_STATUSES = ['open', 'at-risk', 'breached', 'met'] as const;
const REGION_DESCRIPTION = "辖区（默认本人辖区）Region, 6-, 9- or 12-digit; defaults to the caller's";

export class RegionQueryDto {
  @ApiPropertyOptional({ description: REGION_DESCRIPTION, example: '410821' })
  @IsOptional()
  @Matches(REGION_CODE_PATTERN, { message: 'region must be a 6-, 9- or 12-digit region code' })
  region?: string;
}

export class RegionPageQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: REGION_DESCRIPTION, example: '410821' })
  @IsOptional()
  @Matches(REGION_CODE_PATTERN, { message: 'region must be a 6-, 9- or 12-digit region code' })
  region?: string;
}

export class DeadlineQueryDto extends RegionPageQueryDto {
  @ApiPropertyOptional({ enum: DEADLINE_STATUSES, description: '状态 open, at-risk (past SLA_AT_RISK_PERCENT of its time), breached or met', example: 'breached' })
  @IsOptional()
  @IsIn(DEADLINE_STATUSES, { message: 'status must be one of open, at-risk, breached, met' })
  status?: DeadlineStatus;

  @ApiPropertyOptional({ description: '时限类型 Deadline type', example: 'dibao.acceptance' })
  @IsOptional()
  @IsString()
  @MaxLength(100, { message: 'type must be at most 100 characters' })
  type?: string;

  @ApiPropertyOptional({ description: '到期不早于 Due on or after: an ISO 8601 date-time with offset, or a date (its start in Asia/Shanghai)', example: '2026-12-01' })
  @IsOptional()
  @IsInstantOrDate()
  from?: string;

  @ApiPropertyOptional({ description: '到期早于 Due before: a date-time with offset is exclusive; a date includes that whole day in Asia/Shanghai', example: '2026-12-31' })
  @IsOptional()
  @IsInstantOrDate()
  to?: string;

  @ApiPropertyOptional({ enum: DEADLINE_SORTS, default: 'dueAt', description: '排序字段 Sort by (ties by id); default dueAt, soonest first', example: 'dueAt' })
  @IsOptional()
  @IsIn(DEADLINE_SORTS, { message: `sort must be one of ${DEADLINE_SORTS.join(', ')}` })
  sort: DeadlineSort = 'dueAt';
}

export class IncidentQueryDto extends RegionPageQueryDto {}

/** A statutory deadline as supervisors and county civil affairs see it. */
export class DeadlineItem {
  @ApiProperty({ example: '42' }) id!: string;
  @ApiProperty({ example: 'dibao.acceptance' }) type!: string;
  @ApiProperty({ enum: DEADLINE_STATUSES, example: 'open' }) status!: DeadlineStatus;
  @ApiProperty({ nullable: true, type: String, example: 'dibao-case' }) subjectType!: string | null;
  @ApiProperty({ nullable: true, type: String, example: '0f8fad5b-d9cb-469f-a165-70867728950e' }) subjectId!: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'DB410821-2026-000001', description: "The subject's case (request) number, where it has one" }) caseNumber!: string | null;
  @ApiProperty({ example: '410821100201' }) regionCode!: string;
  @ApiProperty({ nullable: true, type: String, example: '东庄村' }) regionName!: string | null;
  @ApiProperty({ example: 'township-caseworker' }) responsibleGroup!: string;
  @ApiProperty({ example: 'acceptanceWorkingDays = 5', description: 'The parameter the deadline was computed from' }) rule!: string;
  @ApiProperty({ example: '中华人民共和国社会救助法', description: 'The document the parameter comes from' }) source!: string;
  @ApiProperty({ type: String, format: 'date-time', example: '2026-12-01T02:00:00.000Z' }) startedAt!: Date;
  @ApiProperty({ type: String, format: 'date-time', example: '2026-12-08T15:59:59.999Z' }) dueAt!: Date;
  @ApiProperty({ nullable: true, type: String, format: 'date-time', example: null }) metAt!: Date | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time', example: null }) breachedAt!: Date | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time', example: null }) escalatedAt!: Date | null;
  @ApiProperty({ nullable: true, type: String, example: 'official:2026-v1' }) calendar!: string | null;
  @ApiProperty({ nullable: true, type: String, example: null, description: 'Set when the deadline stands on the statutory calendar (provisional)' }) calendarNote!: string | null;
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true }, example: [], description: 'Earlier due instants, with why they changed' }) dueHistory!: unknown[];
}

class SummaryTypeLine {
  @ApiProperty({ example: 'dibao.acceptance' }) type!: string;
  @ApiProperty({ example: 3 }) open!: number;
  @ApiProperty({ example: 1 }) atRisk!: number;
  @ApiProperty({ example: 0 }) breached!: number;
  @ApiProperty({ example: 12 }) met!: number;
}

class TimeToDecision {
  @ApiProperty({ example: 'dibao' }) procedure!: string;
  @ApiProperty({ example: 12 }) decided!: number;
  @ApiProperty({ example: 18.5 }) medianDays!: number;
  @ApiProperty({ example: 29.75 }) p95Days!: number;
}

/** One region a level below the caller's, its deadlines counted. */
export class SummaryLine {
  @ApiProperty({ example: '410821100' }) region!: string;
  @ApiProperty({ nullable: true, type: String, example: '城关镇' }) name!: string | null;
  @ApiProperty({ example: 3 }) open!: number;
  @ApiProperty({ example: 1 }) atRisk!: number;
  @ApiProperty({ example: 0 }) breached!: number;
  @ApiProperty({ example: 12 }) met!: number;
  @ApiProperty({ type: [SummaryTypeLine] }) byType!: SummaryTypeLine[];
  @ApiProperty({ type: [TimeToDecision] }) timeToDecision!: TimeToDecision[];
}

class IncidentSubjectDto {
  @ApiProperty({ nullable: true, type: String, example: 'dibao-case' }) subjectType!: string | null;
  @ApiProperty({ nullable: true, type: String, example: '0f8fad5b-d9cb-469f-a165-70867728950e' }) subjectId!: string | null;
  @ApiProperty({ example: '410821100201' }) regionCode!: string;
  @ApiPropertyOptional({ example: 'DB410821-2026-000001' }) caseNumber?: string;
}

/** An open engine incident of one of our procedures. */
export class IncidentItemDto {
  @ApiProperty({ example: '2251799813685260' }) incidentKey!: string;
  @ApiProperty({ nullable: true, type: String, example: 'dibao-application' }) processDefinitionId!: string | null;
  @ApiProperty({ example: '2251799813685249' }) processInstanceKey!: string;
  @ApiProperty({ nullable: true, type: String, example: 'Task_assess' }) elementId!: string | null;
  @ApiProperty({ nullable: true, type: String, example: '2251799813685255' }) jobKey!: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'JOB_NO_RETRIES' }) errorType!: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'no policy profile in force' }) errorMessage!: string | null;
  @ApiProperty({ example: '任务重试次数已用完 / The job ran out of retries: no policy profile in force' }) reason!: string;
  @ApiProperty({ nullable: true, type: String, example: '2026-12-04T02:15:00.000Z' }) creationTime!: string | null;
  @ApiProperty({ type: IncidentSubjectDto }) subject!: IncidentSubjectDto;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: "Dibao cases only, the first version's field (kept for its clients; subject carries the same)",
    example: { subjectType: 'dibao-case', id: '0f8fad5b-d9cb-469f-a165-70867728950e', caseNumber: 'DB410821-2026-000001', regionCode: '410821100201' },
  })
  case?: Record<string, unknown>;
}

/** The answer to a retry (202): the incident resolved, the engine runs the step again on its own time. */
export class IncidentRetryAnswer {
  @ApiProperty({ example: '2251799813685301' }) incidentKey!: string;
  @ApiProperty({ example: '2251799813685249' }) processInstanceKey!: string;
  @ApiProperty({ type: String, nullable: true, example: '2251799813685299', description: 'The job given retries again, for a job incident' }) jobKey!: string | null;
  @ApiProperty({ type: 'integer', nullable: true, example: 3, description: 'The retries it was given' }) retries!: number | null;
  @ApiProperty({ enum: [true], example: true }) resolved!: true;
}
