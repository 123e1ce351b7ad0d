import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, RegionScoped, Roles } from '../auth/principal';
import { Role } from '../auth/roles';
import { instantRange } from '../common/instant-range';
import { type Page, page, pageOf } from '../common/paging';
import { AuditEvent } from './audit-event.entity';
import { AuditEventItem, AuditQueryDto } from './audit.dto';
import { AuditService } from './audit.service';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit-events')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @Roles(Role.Supervisor, Role.CountyCivilAffairs)
  @RegionScoped('regionCode')
  @ApiOkResponse({ type: pageOf(AuditEventItem), description: '一页审计记录及总数 A page of audit events with the total' })
  async list(@Query() query: AuditQueryDto, @CurrentPrincipal() principal: Principal): Promise<Page<AuditEvent>> {
    const { from, to } = instantRange(query.from, query.to);
    const { events, total } = await this.audit.page({
      regionCode: query.regionCode ?? principal.regionCode,
      subjectType: query.subjectType,
      subjectId: query.subjectId,
      actorId: query.actor,
      action: query.action,
      from,
      to,
      sort: query.sort,
      order: query.order ?? (query.sort === 'occurredAt' ? 'desc' : 'asc'),
      limit: query.limit,
      offset: query.offset,
    });
    return page(events, total, query);
  }
}
