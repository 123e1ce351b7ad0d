import { EngineKeyParam } from '../common/params';
import { Controller, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { CurrentPrincipal, Principal, RegionScoped, Roles } from '../auth/principal';
import { regionCovers, REGION_CODE_PATTERN } from '../auth/region';
import { Role } from '../auth/roles';
import { AuditService } from '../audit/audit.service';
import { DomainError } from '../common/domain-error';
import type { IncidentItem, IncidentRetryResult } from './incidents.dto';
import type { DeadlineStatus } from '../deadlines/deadline-queries';
import { SlaService } from './sla.service';

export class RegionQueryDto {
  /** Defaults to the caller's region. */
  @IsOptional()
  @Matches(REGION_CODE_PATTERN, { message: 'region must be a 6-, 9- or 12-digit region code' })
  region?: string;
}

export class DeadlineQueryDto extends RegionQueryDto {
  @IsOptional()
  @IsIn(['open', 'at-risk', 'breached', 'met'], { message: 'status must be one of open, at-risk, breached, met' })
  status?: DeadlineStatus;

  @IsOptional()
  @IsString()
  type?: string;

  /** Due on or after. */
  @IsOptional()
  @Type(() => Date)
  @IsDate({ message: 'from must be an ISO 8601 date-time' })
  from?: Date;

  /** Due before. */
  @IsOptional()
  @Type(() => Date)
  @IsDate({ message: 'to must be an ISO 8601 date-time' })
  to?: Date;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit = 200;
}

/** Supervisors: statutory deadlines, their summary, engine incidents and a case's audit trail, region-scoped. */
@ApiTags('sla')
@ApiBearerAuth()
@Controller('sla')
@Roles(Role.Supervisor)
export class SlaController {
  constructor(
    private readonly sla: SlaService,
    private readonly audit: AuditService,
  ) {}

  @Get('deadlines')
  @RegionScoped('region')
  deadlines(@Query() query: DeadlineQueryDto, @CurrentPrincipal() principal: Principal) {
    return this.sla.deadlines({ ...query, region: query.region ?? principal.regionCode });
  }

  @Get('summary')
  @RegionScoped('region')
  summary(@Query() query: RegionQueryDto, @CurrentPrincipal() principal: Principal) {
    return this.sla.summary(query.region ?? principal.regionCode);
  }

  /** Open engine incidents of every procedure in the region, each with its subject and a plain reason. */
  @Get('incidents')
  @RegionScoped('region')
  incidents(@Query() query: RegionQueryDto, @CurrentPrincipal() principal: Principal): Promise<IncidentItem[]> {
    return this.sla.incidents(query.region ?? principal.regionCode);
  }

  /** Runs the step an incident stopped again, once its cause is fixed (202: the engine re-runs it asynchronously). */
  @Post('incidents/:incidentKey/retry')
  @HttpCode(HttpStatus.ACCEPTED)
  retryIncident(@EngineKeyParam('incidentKey') incidentKey: string, @CurrentPrincipal() principal: Principal): Promise<IncidentRetryResult> {
    return this.sla.retryIncident(incidentKey, principal);
  }

  /** The audit trail of one case, if it lies in the caller's region. */
  @Get('cases/:subjectType/:subjectId/audit')
  async caseAudit(@Param('subjectType') subjectType: string, @Param('subjectId') subjectId: string, @CurrentPrincipal() principal: Principal) {
    const events = await this.audit.find({ regionCode: principal.regionCode, subjectType, subjectId, limit: 1000 });
    if (!events.length) throw new DomainError('case-not-found', `no audit trail for ${subjectType} ${subjectId} in region ${principal.regionCode}`, 404);
    return events.filter((e) => regionCovers(principal.regionCode, e.regionCode));
  }
}
