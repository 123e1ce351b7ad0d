import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import { CurrentPrincipal, Principal, RegionScoped, Roles } from '../auth/principal';
import { regionCovers, REGION_CODE_PATTERN } from '../auth/region';
import { Role } from '../auth/roles';
import { type OrphanInstance, OutboxReconciler } from './outbox.reconciler';

export class OrphanQueryDto {
  @ApiPropertyOptional({ description: '行政区划代码（默认调用方区域）Region code; default the caller’s region', example: '410821' })
  @IsOptional()
  @Matches(REGION_CODE_PATTERN, { message: 'region must be a 6-, 9- or 12-digit region code' })
  region?: string;
}

/** An engine instance of one of our procedures with no row of ours behind it. */
export class OrphanInstanceView {
  @ApiProperty({ example: 'dibao-application' }) processDefinitionId!: string;
  @ApiProperty({ example: '2251799813685249' }) processInstanceKey!: string;
  @ApiProperty({ type: String, nullable: true, format: 'uuid', description: 'The subject id its variables name, if any' }) subjectId!: string | null;
  @ApiProperty({ type: String, nullable: true, example: '410821100201' }) regionCode!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) startDate!: string | null;
  @ApiProperty({ description: 'Only the first user task is open and nothing was completed: safe to cancel (the reconciler does)' }) nothingDone!: boolean;
  @ApiProperty({ type: [String], example: ['Task_accept'], description: 'The BPMN ids of its open user tasks' }) openTasks!: string[];
}

export class OrphanList {
  @ApiProperty({ type: [OrphanInstanceView] }) items!: OrphanInstanceView[];
}

/**
 * Supervisors: engine instances of our procedures whose case or request has no row (a ghost left by a lost
 * transaction). Those with nothing done yet are cancelled by the reconciler; the others stay and are listed here.
 */
@ApiTags('sla')
@ApiBearerAuth()
@Controller('sla')
@Roles(Role.Supervisor)
export class OrphansController {
  constructor(private readonly reconciler: OutboxReconciler) {}

  @Get('orphans')
  @RegionScoped('region')
  @ApiOkResponse({ type: OrphanList })
  async orphans(@Query() query: OrphanQueryDto, @CurrentPrincipal() principal: Principal): Promise<{ items: OrphanInstance[] }> {
    const region = query.region ?? principal.regionCode;
    const items = (await this.reconciler.orphans()).filter((o) => o.regionCode !== null && regionCovers(region, o.regionCode));
    return { items };
  }
}
