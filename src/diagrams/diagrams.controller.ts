import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles } from '../auth/principal';
import { Role, WORKING_ROLES } from '../auth/roles';
import { EngineKeyParam } from '../common/params';
import { ProcessInstanceDiagram } from './diagrams.dto';
import { DiagramsService } from './diagrams.service';

/** Who reads a diagram: whoever works or watches tasks (the working roles of src/tasks/tasks.controller.ts, and supervisors). */
/** Whoever works or watches the tasks of a case reads its diagram. */
const READERS = [...WORKING_ROLES, Role.Supervisor];

/** The diagram of a process instance for the case page (issue 19): the model, the current steps and the path taken. */
@ApiTags('process-instances')
@ApiBearerAuth()
@Controller('process-instances')
export class DiagramsController {
  constructor(private readonly diagrams: DiagramsService) {}

  /** An instance outside the caller's region answers 404, as one that does not exist. */
  @Get(':processInstanceKey/diagram')
  @Roles(...READERS)
  @ApiOkResponse({ type: ProcessInstanceDiagram })
  @ApiNotFoundResponse({ description: 'No such process instance within the caller’s region' })
  @ApiServiceUnavailableResponse({ description: 'The workflow engine did not answer' })
  diagram(@EngineKeyParam('processInstanceKey') processInstanceKey: string, @CurrentPrincipal() principal: Principal): Promise<ProcessInstanceDiagram> {
    return this.diagrams.diagram(processInstanceKey, principal);
  }
}
