import { ApiProperty } from '@nestjs/swagger';

/** What the case page draws with bpmn-js: the model as deployed, and where the instance is and has been. */
export class ProcessInstanceDiagram {
  @ApiProperty({ example: '2251799813685249' }) processInstanceKey!: string;
  @ApiProperty({ example: 'dibao-application', description: 'The BPMN process id of the model the instance runs' }) processDefinitionId!: string;
  @ApiProperty({ example: '2251799813685250' }) processDefinitionKey!: string;
  @ApiProperty({ description: 'The BPMN 2.0 XML of the deployed model, with its diagram layout' }) bpmnXml!: string;
  @ApiProperty({ type: [String], description: 'Elements the instance is at now (user tasks waiting, timers running…), distinct', example: ['Task_accept'] })
  activeElementIds!: string[];
  @ApiProperty({ type: [String], description: 'Elements the instance completed, distinct', example: ['StartEvent_received', 'Gateway_accept_merge'] })
  completedElementIds!: string[];
  @ApiProperty({
    type: [String],
    description: 'Sequence flows taken: the source completed and the target was activated',
    example: ['Flow_to_accept_merge', 'Flow_to_accept'],
  })
  takenSequenceFlowIds!: string[];
}
