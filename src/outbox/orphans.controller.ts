import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import { CurrentPrincipal, Principal, RegionScoped, Roles } from '../auth/principal';
import { regionCovers, REGION_CODE_PATTERN } from '../auth/region';
import { Role } from '../auth/roles';
import { type OrphanInstance, OutboxReconciler } from './outbox.reconciler';

export class OrphanQueryDto {
  /** Defaults to the caller's region. */
  @IsOptional()
  @Matches(REGION_CODE_PATTERN, { message: 'region must be a 6-, 9- or 12-digit region code' })
  region?: string;
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
  async orphans(@Query() query: OrphanQueryDto, @CurrentPrincipal() principal: Principal): Promise<{ items: OrphanInstance[] }> {
    const region = query.region ?? principal.regionCode;
    const items = (await this.reconciler.orphans()).filter((o) => o.regionCode !== null && regionCovers(region, o.regionCode));
    return { items };
  }
}
