import { EngineKeyParam } from '../common/params';
import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles } from '../auth/principal';
import { Role, WORKING_ROLES } from '../auth/roles';
import { AssignTaskDto, CompleteTaskDto, TaskDetail, TaskList, TaskListQueryDto } from './tasks.dto';
import { TasksService } from './tasks.service';


/**
 * User tasks of every procedure, for caseworkers: theirs by candidate group or assignment, within their region.
 * A task out of the caller's reach answers 404, as one that does not exist.
 */
@ApiTags('tasks')
@ApiBearerAuth()
@Controller('tasks')
export class TasksController {
  constructor(private readonly tasks: TasksService) {}

  @Get()
  @Roles(...WORKING_ROLES, Role.Supervisor)
  @ApiOkResponse({ type: TaskList })
  list(@Query() query: TaskListQueryDto, @CurrentPrincipal() principal: Principal): Promise<TaskList> {
    return this.tasks.list(query, principal);
  }

  /** The task, the schema of its form and its process instance's variables. */
  @Get(':key')
  @Roles(...WORKING_ROLES, Role.Supervisor)
  @ApiOkResponse({ type: TaskDetail })
  read(@EngineKeyParam('key') key: string, @CurrentPrincipal() principal: Principal): Promise<TaskDetail> {
    return this.tasks.read(key, principal);
  }

  /** Assigns the task to the caller; 409 when someone else holds it, 403 when the separation of duties excludes the caller. */
  @Post(':key/claim')
  @HttpCode(204)
  @Roles(...WORKING_ROLES)
  @ApiNoContentResponse()
  async claim(@EngineKeyParam('key') key: string, @CurrentPrincipal() principal: Principal): Promise<void> {
    await this.tasks.claim(key, principal);
  }

  /** Gives the caller's task back to its candidate groups. */
  @Post(':key/unclaim')
  @HttpCode(204)
  @Roles(...WORKING_ROLES)
  @ApiNoContentResponse()
  async unclaim(@EngineKeyParam('key') key: string, @CurrentPrincipal() principal: Principal): Promise<void> {
    await this.tasks.unclaim(key, principal);
  }

  /**
   * A leader hands the task to another user, taking it from whoever claimed it (audited, `task.reassigned`): a
   * township leader the township tasks, county civil affairs the county ones; 403 for someone the separation of
   * duties excludes from the task.
   */
  @Post(':key/assignment')
  @HttpCode(204)
  @Roles(Role.TownshipLeader, Role.CountyCivilAffairs)
  @ApiNoContentResponse()
  async assign(@EngineKeyParam('key') key: string, @Body() body: AssignTaskDto, @CurrentPrincipal() principal: Principal): Promise<void> {
    await this.tasks.assign(key, body.assignee.trim(), principal);
  }

  /** Completes the task with the form's values, checked against the form first (400 names each bad field). */
  @Post(':key/complete')
  @HttpCode(204)
  @Roles(...WORKING_ROLES)
  @ApiNoContentResponse()
  async complete(@EngineKeyParam('key') key: string, @Body() body: CompleteTaskDto, @CurrentPrincipal() principal: Principal): Promise<void> {
    await this.tasks.complete(key, body.variables ?? {}, principal);
  }
}
