import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsObject, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { IsEngineKey } from '../common/params';
import { type Page, PageMeta } from '../common/paging';
import { IsText } from '../common/text';
import { TASK_VIEWS, type TaskUrgency, type TaskView } from './task-list-query';

export const TASK_STATES = ['CREATED', 'COMPLETED', 'CANCELED', 'FAILED'] as const;
export type TaskState = (typeof TASK_STATES)[number];

export class TaskListQueryDto {
  @ApiPropertyOptional({
    enum: TASK_VIEWS,
    default: 'open',
    description: 'open: every task of the caller; mine: assigned to the caller; unclaimed: assigned to nobody; overdue: past its due instant',
  })
  @IsOptional()
  @IsIn(TASK_VIEWS, { message: `view must be one of ${TASK_VIEWS.join(', ')}` })
  view: TaskView = 'open';

  @ApiPropertyOptional({ description: 'Only the tasks of this procedure (the BPMN process id)', example: 'dibao-application' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  procedure?: string;

  @ApiPropertyOptional({ description: "A case number (from its start) or part of the applicant's name", example: '王建国' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;

  @ApiPropertyOptional({ enum: TASK_STATES, default: 'CREATED', description: '引擎中的任务状态 The task state in the engine', example: 'CREATED' })
  @IsOptional()
  @IsIn(TASK_STATES, { message: `state must be one of ${TASK_STATES.join(', ')}` })
  state: TaskState = 'CREATED';

  @ApiPropertyOptional({ description: '只列此流程实例的任务 Only the tasks of this process instance', example: '2251799813685249' })
  @IsOptional()
  @IsEngineKey()
  processInstanceKey?: string;

  @ApiPropertyOptional({ description: 'The BPMN id of the user task in its model', example: 'township-review' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  elementId?: string;

  @ApiPropertyOptional({ enum: ['me'], description: 'Only the tasks assigned to the caller', example: 'me' })
  @IsOptional()
  @IsIn(['me'], { message: 'assignee must be "me"' })
  assignee?: 'me';

  @ApiPropertyOptional({ type: 'integer', default: 100, minimum: 1, maximum: 500, description: '每页条数 Tasks per page', example: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit = 100;

  @ApiPropertyOptional({ type: 'integer', default: 0, minimum: 0, description: 'How many matching tasks to skip (paging)', example: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  offset = 0;
}

export class CompleteTaskDto {
  /** Read by the request pipe: a form's value sent at the top level (`{"x": …}`) is the commonest mistake. */
  static readonly unknownFieldHint = '表单的值应放在 "variables" 之下 / put the form\'s values under "variables"';

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: "Values of the task form's fields, by key; checked against the form before the task is completed",
    example: { proposal: 'approve', proposalReasons: 'Income below the local standard' },
  })
  @IsOptional()
  @IsObject()
  variables?: Record<string, unknown>;
}

/**
 * Which family, which village, which case a task is about (issue 18); from our tables, not engine variables. For a
 * county review of a sampled case or the follow-up of a failed payment, the family's case (subjectType, subjectId).
 */
export class TaskCaseContext {
  @ApiProperty({ example: 'dibao-case', enum: ['dibao-case', 'temporary-aid'] }) subjectType!: string;
  @ApiProperty({ description: 'The case (or temporary-aid request) id' }) subjectId!: string;
  @ApiProperty({ example: 'DB410821-2026-000001' }) caseNumber!: string;
  @ApiProperty({ example: 'accepted' }) caseStatus!: string;
  @ApiProperty({ example: '张三' }) applicantName!: string;
  @ApiProperty({ nullable: true, type: String, example: '410821********0011', description: 'Masked' }) applicantIdNumber!: string | null;
  @ApiProperty({ example: '410821100201' }) villageCode!: string;
  @ApiProperty({ nullable: true, type: String, description: 'From the region registry (null until it knows the code)' }) villageName!: string | null;
  @ApiProperty({ example: '410821100' }) townshipCode!: string;
  @ApiProperty({ nullable: true, type: String }) townshipName!: string | null;
  @ApiProperty({ description: 'Living members' }) householdSize!: number;
  @ApiProperty({ nullable: true, type: String, description: "The step's due instant, ISO UTC" }) dueAt!: string | null;
  @ApiProperty({ nullable: true, type: String, example: '2026年12月10日 17:00', description: 'The due instant in Asia/Shanghai' }) dueText!: string | null;
}

/** What a payment-cycle step is about: the county's month and its payroll. */
export class TaskCycleContext {
  @ApiProperty({ enum: ['payment-cycle'] }) subjectType!: 'payment-cycle';
  @ApiProperty({ example: '410821' }) countyCode!: string;
  @ApiProperty({ nullable: true, type: String, example: '修武县' }) countyName!: string | null;
  @ApiProperty({ example: '2026-12' }) month!: string;
  @ApiProperty({ example: '2026年12月' }) monthText!: string;
  @ApiProperty({ example: 'payroll-generated' }) cycleStatus!: string;
  @ApiProperty({ nullable: true, type: Number, description: 'Payroll lines, once generated' }) lineCount!: number | null;
  @ApiProperty({ nullable: true, type: Number }) totalFen!: number | null;
  @ApiProperty({ nullable: true, type: String, example: '123456.78' }) totalYuan!: string | null;
  @ApiProperty({ nullable: true, type: String, description: "The step's due instant, ISO UTC" }) dueAt!: string | null;
  @ApiProperty({ nullable: true, type: String, example: '2026年12月5日 17:00', description: 'The due instant in Asia/Shanghai' }) dueText!: string | null;
}

/** A county's task to replenish a township reserve fund (bpmn/reserve-fund-replenishment.bpmn); money in fen. */
export class TaskFundContext {
  @ApiProperty({ enum: ['reserve-fund-alert'] }) subjectType!: 'reserve-fund-alert';
  @ApiProperty({ description: 'The low-balance alert', example: '3f2b9c4e-0d7a-4f55-9a51-3c1d2e4f5a6b' }) subjectId!: string;
  @ApiProperty({ example: '410821100' }) townshipCode!: string;
  @ApiProperty({ nullable: true, type: String, example: '城关镇' }) townshipName!: string | null;
  @ApiProperty({ example: '410821' }) countyCode!: string;
  @ApiProperty({ nullable: true, type: String, example: '修武县' }) countyName!: string | null;
  @ApiProperty({ description: 'The fund\'s balance now, in fen', example: 80_000 }) balanceFen!: number;
  @ApiProperty({ description: 'reserveFundLowBalanceFen of the profile in force when the alert was raised', example: 100_000 }) thresholdFen!: number;
  @ApiProperty({ enum: ['open', 'closed'], description: 'closed once a credit lifted the balance to the threshold' }) alertStatus!: 'open' | 'closed';
  @ApiProperty({ type: String, format: 'date-time' }) raisedAt!: string;
  @ApiProperty({ nullable: true, type: String, description: "The step's due instant, ISO UTC" }) dueAt!: string | null;
  @ApiProperty({ nullable: true, type: String, example: '2026年12月11日 23:59', description: 'The due instant in Asia/Shanghai' }) dueText!: string | null;
}

/** The facts a step needs; ID numbers masked, money in fen. */
export class TaskCaseFacts {
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true } }) members!: Record<string, unknown>[];
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'declared: as applied; verified: as the investigation found (null when not recorded)' })
  incomes!: { declared: unknown[]; verified: unknown[] | null };
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true } }) expenditures!: unknown[];
  @ApiProperty({ type: 'object', additionalProperties: true }) assets!: { declared: unknown; verified: unknown | null };
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true, description: 'The latest assessment with its explained steps' }) assessment!: Record<string, unknown> | null;
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true } }) decisions!: Record<string, unknown>[];
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true }, description: 'Objections during the public notice, with their text' }) objections!: Record<string, unknown>[];
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true } }) timeline!: Record<string, unknown>[];
  @ApiProperty({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    description: 'The steps completed so far (task name, who, when) with the values given — the proposal, the village and township decisions and their reasons — as the audit trail recorded them (ID numbers masked)',
  })
  steps!: { step: string; elementId: string; actorId: string; completedAt: Date; values: Record<string, unknown> }[];
}

export class TaskCaseDetailContext extends TaskCaseContext {
  @ApiProperty({ type: TaskCaseFacts, nullable: true, description: 'Dibao cases so far' }) facts!: TaskCaseFacts | null;
}

export class AssignTaskDto {
  @ApiProperty({ description: 'The user (token subject) the task is handed to', example: 'caseworker-zhao' })
  @IsText(255)
  assignee!: string;
}

@ApiExtraModels(TaskCaseContext, TaskCycleContext, TaskFundContext, TaskCaseDetailContext)
export class TaskSummary {
  @ApiProperty() userTaskKey!: string;
  @ApiProperty({ nullable: true, type: String }) name!: string | null;
  @ApiProperty({ enum: [...TASK_STATES, 'CREATING', 'ASSIGNING', 'UPDATING', 'COMPLETING', 'CANCELING'] }) state!: string;
  @ApiProperty() elementId!: string;
  @ApiProperty() processDefinitionId!: string;
  @ApiProperty() processInstanceKey!: string;
  @ApiProperty({ type: [String] }) candidateGroups!: string[];
  @ApiProperty({ nullable: true, type: String }) assignee!: string | null;
  @ApiProperty({ description: "The task's element instance (its variable scope)" }) elementInstanceKey!: string;
  @ApiProperty({ nullable: true, type: String }) creationDate!: string | null;
  @ApiProperty({ nullable: true, type: String }) dueDate!: string | null;
  @ApiProperty({ nullable: true, type: String }) followUpDate!: string | null;
  @ApiProperty({ nullable: true, type: Number }) priority!: number | null;
  @ApiProperty({ description: 'Finest region of the case (process variable regionCode)' }) regionCode!: string;
  @ApiProperty({ nullable: true, type: String }) subjectType!: string | null;
  @ApiProperty({ nullable: true, type: String }) subjectId!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Key of the linked Camunda form' }) formKey!: string | null;
  @ApiProperty({
    nullable: true,
    oneOf: [{ $ref: getSchemaPath(TaskCaseContext) }, { $ref: getSchemaPath(TaskCycleContext) }, { $ref: getSchemaPath(TaskFundContext) }],
    description: 'What the task is about: a family case, a payment cycle or a township reserve fund (by subjectType); null when its subject is not known',
  })
  context!: TaskCaseContext | TaskCycleContext | TaskFundContext | null;

  @ApiProperty({
    nullable: true,
    enum: ['overdue', 'due-today', 'at-risk'],
    description: 'An open task past its due instant; due today (Asia/Shanghai); or past SLA_AT_RISK_PERCENT of its time',
  })
  urgency!: TaskUrgency | null;
}

/** The task list's page: the envelope every paged list shares (src/common/paging.ts). */
export class TaskList extends PageMeta implements Page<TaskSummary> {
  @ApiProperty({ type: [TaskSummary] }) items!: TaskSummary[];
}

export class TaskDetail extends TaskSummary {
  @ApiProperty({
    nullable: true,
    oneOf: [{ $ref: getSchemaPath(TaskCaseDetailContext) }, { $ref: getSchemaPath(TaskCycleContext) }, { $ref: getSchemaPath(TaskFundContext) }],
    description: 'The case, with the facts the step needs; or the payment cycle; or the reserve fund',
  })
  override context: TaskCaseDetailContext | TaskCycleContext | TaskFundContext | null = null;

  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true, description: 'The form-js schema of the linked form' })
  form!: Record<string, unknown> | null;

  @ApiProperty({ type: 'object', additionalProperties: true, description: "The process instance's variables, name → value" })
  variables!: Record<string, unknown>;
}
