import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsObject, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { IsEngineKey } from '../common/params';
import { IsText } from '../common/text';

export const TASK_STATES = ['CREATED', 'COMPLETED', 'CANCELED', 'FAILED'] as const;
export type TaskState = (typeof TASK_STATES)[number];

export class TaskListQueryDto {
  @ApiPropertyOptional({ enum: TASK_STATES, default: 'CREATED' })
  @IsOptional()
  @IsIn(TASK_STATES, { message: `state must be one of ${TASK_STATES.join(', ')}` })
  state: TaskState = 'CREATED';

  @ApiPropertyOptional({ example: '2251799813685249' })
  @IsOptional()
  @IsEngineKey()
  processInstanceKey?: string;

  @ApiPropertyOptional({ description: 'The BPMN id of the user task in its model', example: 'township-review' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  elementId?: string;

  @ApiPropertyOptional({ enum: ['me'], description: 'Only the tasks assigned to the caller' })
  @IsOptional()
  @IsIn(['me'], { message: 'assignee must be "me"' })
  assignee?: 'me';

  @ApiPropertyOptional({ default: 100, minimum: 1, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit = 100;
}

export class CompleteTaskDto {
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

export class AssignTaskDto {
  @ApiProperty({ description: 'The user (token subject) the task is handed to', example: 'caseworker-zhao' })
  @IsText(255)
  assignee!: string;
}

export class TaskSummary {
  @ApiProperty() userTaskKey!: string;
  @ApiProperty({ nullable: true, type: String }) name!: string | null;
  @ApiProperty({ enum: [...TASK_STATES, 'CREATING', 'ASSIGNING', 'UPDATING', 'COMPLETING', 'CANCELING'] }) state!: string;
  @ApiProperty() elementId!: string;
  @ApiProperty() processDefinitionId!: string;
  @ApiProperty() processInstanceKey!: string;
  @ApiProperty({ type: [String] }) candidateGroups!: string[];
  @ApiProperty({ nullable: true, type: String }) assignee!: string | null;
  @ApiProperty({ nullable: true, type: String }) creationDate!: string | null;
  @ApiProperty({ nullable: true, type: String }) dueDate!: string | null;
  @ApiProperty({ nullable: true, type: String }) followUpDate!: string | null;
  @ApiProperty({ nullable: true, type: Number }) priority!: number | null;
  @ApiProperty({ description: 'Finest region of the case (process variable regionCode)' }) regionCode!: string;
  @ApiProperty({ nullable: true, type: String }) subjectType!: string | null;
  @ApiProperty({ nullable: true, type: String }) subjectId!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Key of the linked Camunda form' }) formKey!: string | null;
}

export class TaskList {
  @ApiProperty({ type: [TaskSummary] }) items!: TaskSummary[];
  @ApiProperty({ description: 'More tasks may match than were returned (raise limit or narrow the filter)' }) truncated!: boolean;
}

export class TaskDetail extends TaskSummary {
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true, description: 'The form-js schema of the linked form' })
  form!: Record<string, unknown> | null;

  @ApiProperty({ type: 'object', additionalProperties: true, description: "The process instance's variables, name → value" })
  variables!: Record<string, unknown>;
}
