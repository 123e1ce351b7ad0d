import { EngineKeyParam } from '../common/params';
import { Controller, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuditEventItem } from '../audit/audit.dto';
import { CurrentPrincipal, Principal, RegionScoped, Roles } from '../auth/principal';
import { regionCovers } from '../auth/region';
import { instantRange } from '../common/instant-range';
import { type Page, pageOf, pageOfAll } from '../common/paging';
import { DeadlineItem, DeadlineQueryDto, IncidentItemDto, IncidentRetryAnswer, IncidentQueryDto, RegionQueryDto, SummaryLine } from './sla.dto';
import { Role } from '../auth/roles';
import { AuditService } from '../audit/audit.service';
import { DomainError } from '../common/domain-error';
import type { IncidentItem, IncidentRetryResult } from './incidents.dto';
import { SlaService } from './sla.service';

export { RegionQueryDto } from './sla.dto';

/**
 * Supervisors and county civil affairs (their county's own view of its deadlines, issue 21): statutory deadlines,
 * their summary, engine incidents and a case's audit trail, region-scoped. Retrying an incident is the supervisors'.
 */
@ApiTags('sla')
@ApiBearerAuth()
@Controller('sla')
@Roles(Role.Supervisor, Role.CountyCivilAffairs)
export class SlaController {
  constructor(
    private readonly sla: SlaService,
    private readonly audit: AuditService,
  ) {}

  @Get('deadlines')
  @RegionScoped('region')
  @ApiOkResponse({ type: pageOf(DeadlineItem), description: '一页时限及总数 A page of deadlines with the total' })
  deadlines(@Query() query: DeadlineQueryDto, @CurrentPrincipal() principal: Principal) {
    const { from, to } = instantRange(query.from, query.to);
    return this.sla.deadlines({ ...query, from, to, region: query.region ?? principal.regionCode, order: query.order ?? 'asc' });
  }

  /** One line per region a level below (a handful of townships or villages): an aggregate, not a list to page. */
  @Get('summary')
  @RegionScoped('region')
  @ApiOkResponse({ type: [SummaryLine], description: '每个下一级辖区一行 One line per region one level below' })
  summary(@Query() query: RegionQueryDto, @CurrentPrincipal() principal: Principal) {
    return this.sla.summary(query.region ?? principal.regionCode);
  }

  /** Open engine incidents of every procedure in the region, each with its subject and a plain reason. */
  @Get('incidents')
  @RegionScoped('region')
  @ApiOkResponse({ type: pageOf(IncidentItemDto), description: '一页故障及总数 A page of incidents with the total' })
  async incidents(@Query() query: IncidentQueryDto, @CurrentPrincipal() principal: Principal): Promise<Page<IncidentItem>> {
    const all = await this.sla.incidents(query.region ?? principal.regionCode);
    // The engine answers them oldest first; the whole region's list is small (an incident is an exception).
    return pageOfAll(query.order === 'desc' ? all.reverse() : all, query);
  }

  /** Runs the step an incident stopped again, once its cause is fixed (202: the engine re-runs it asynchronously). */
  @Post('incidents/:incidentKey/retry')
  @Roles(Role.Supervisor)
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiAcceptedResponse({ type: IncidentRetryAnswer })
  retryIncident(@EngineKeyParam('incidentKey') incidentKey: string, @CurrentPrincipal() principal: Principal): Promise<IncidentRetryResult> {
    return this.sla.retryIncident(incidentKey, principal);
  }

  /** The audit trail of one case, if it lies in the caller's region. */
  @Get('cases/:subjectType/:subjectId/audit')
  @ApiOkResponse({ type: [AuditEventItem], description: 'Oldest first' })
  async caseAudit(@Param('subjectType') subjectType: string, @Param('subjectId') subjectId: string, @CurrentPrincipal() principal: Principal) {
    const events = await this.audit.ofSubject({ regionCode: principal.regionCode, subjectType, subjectId });
    if (!events.length) throw new DomainError('case-not-found', `no audit trail for ${subjectType} ${subjectId} in region ${principal.regionCode}`, 404);
    return events.filter((e) => regionCovers(principal.regionCode, e.regionCode));
  }
}
