import { Created } from '../common/created';
import { UuidParam } from '../common/params';
import { KnownRegions } from '../regions/known-regions';
import { IsCalendarMonth } from '../common/calendar-date';
import { Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Matches } from 'class-validator';
import { CurrentPrincipal, Principal, RegionScoped, Roles } from '../auth/principal';
import { Role } from '../auth/roles';
import { RegionQueryDto } from '../sla/sla.controller';
import { SamplingService } from './sampling.service';

export class DrawBatchQueryDto {
  @ApiProperty({ example: '410821' })
  @Matches(/^\d{6}$/, { message: 'county must be a 6-digit county code' })
  county!: string;

  @ApiProperty({ example: '2026-08', description: 'An ended month YYYY-MM' })
  @IsCalendarMonth()
  period!: string;
}

/** County sampling batches: list, one (population counts, selection, seed, progress), draw, verify. */
@ApiTags('sampling')
@ApiBearerAuth()
@Controller('sampling/batches')
@Roles(Role.CountyCivilAffairs, Role.Supervisor)
export class SamplingController {
  constructor(private readonly sampling: SamplingService) {}

  @Get()
  @RegionScoped('region')
  list(@Query() query: RegionQueryDto, @CurrentPrincipal() principal: Principal) {
    return this.sampling.list(query.region ?? principal.regionCode);
  }

  /** Draws an ended month of a county once, with its review tasks; the monthly timer draws the counties not drawn by hand. */
  @Post()
  @Roles(Role.CountyCivilAffairs)
  @RegionScoped('county')
  @KnownRegions('county')
  @Created((answer: { id: string }) => `/sampling/batches/${answer.id}`)
  draw(@Query() query: DrawBatchQueryDto, @CurrentPrincipal() principal: Principal) {
    return this.sampling.drawByHand(query.county, query.period, principal);
  }

  @Get(':id')
  one(@UuidParam() id: string, @CurrentPrincipal() principal: Principal) {
    return this.sampling.one(id, principal.regionCode);
  }

  /** Re-derives the selection from the stored seed and compares: an auditor's check. */
  @Post(':id/verify')
  @HttpCode(200)
  verify(@UuidParam() id: string, @CurrentPrincipal() principal: Principal) {
    return this.sampling.verify(id, principal.regionCode);
  }
}
