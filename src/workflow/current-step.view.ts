import { ApiProperty } from '@nestjs/swagger';

/** One open user task of a procedure, as `currentSteps` (src/workflow/current-steps.ts) reads it from the engine. */
export class CurrentStepView {
  @ApiProperty({ example: '2251799813685325' }) userTaskKey!: string;
  @ApiProperty({ required: false, example: '乡镇答复 Township reply' }) name?: string;
  @ApiProperty({ required: false, example: 'Task_reply', description: 'The BPMN id of the task' }) elementId?: string;
  @ApiProperty({ type: [String], required: false, example: ['township-caseworker@410821100'], description: 'Who may claim it: role@region' }) candidateGroups?: string[];
  @ApiProperty({ type: String, nullable: true, example: null }) assignee!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: '2026-09-15T01:00:00.000Z' }) dueDate!: string | null;
}
