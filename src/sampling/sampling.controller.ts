import { Created } from '../common/created';
import { UuidParam } from '../common/params';
import { KnownRegions } from '../regions/known-regions';
import { IsCalendarMonth } from '../common/calendar-date';
import { Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { pageOf } from '../common/paging';
import { CurrentPrincipal, Principal, RegionScoped, Roles } from '../auth/principal';
import { Role } from '../auth/roles';
import { RegionPageQueryDto } from '../sla/sla.dto';
import { BATCH_SORTS, type BatchSort, SamplingService } from './sampling.service';

export class DrawBatchQueryDto {
  @ApiProperty({ description: '县级行政区划代码 The county, a 6-digit code', example: '410821' })
  @Matches(/^\d{6}$/, { message: 'county must be a 6-digit county code' })
  county!: string;

  @ApiProperty({ example: '2026-08', description: '抽查月份（已结束）The period: an ended month YYYY-MM (Asia/Shanghai calendar)' })
  @IsCalendarMonth()
  period!: string;
}

export class BatchListQueryDto extends RegionPageQueryDto {
  @ApiPropertyOptional({ enum: BATCH_SORTS, default: 'period', description: '排序字段 Sort by (ties by id); default period, newest first', example: 'period' })
  @IsOptional()
  @IsIn(BATCH_SORTS, { message: `sort must be one of ${BATCH_SORTS.join(', ')}` })
  sort: BatchSort = 'period';
}

class SamplingCounts {
  @ApiProperty({ example: 40 }) decisions!: number;
  @ApiProperty({ example: 3 }) relativesCases!: number;
  @ApiProperty({ example: 1 }) complaints!: number;
}

/** A county's batch of one month: what was drawn from, how, and how far the reviews are. */
export class SamplingBatchItem {
  @ApiProperty({ format: 'uuid', example: '7c9e6679-7425-40de-944b-e07fc1f90ae7' }) id!: string;
  @ApiProperty({ example: '410821' }) countyCode!: string;
  @ApiProperty({ example: '2026-11' }) period!: string;
  @ApiProperty({ example: '2026-10-31T16:00:00.000Z' }) periodStart!: string;
  @ApiProperty({ example: '2026-11-30T16:00:00.000Z' }) periodEnd!: string;
  @ApiProperty({ example: 'jiaozuo-2022-154' }) profileVersionId!: string;
  @ApiProperty({ example: 30 }) ratioPercent!: number;
  @ApiProperty({ example: 60 }) relativesPercent!: number;
  @ApiProperty({ example: 'sha256-rank-v1' }) algorithm!: string;
  @ApiProperty({ example: '3f8a61c2d94b07e5a1c6f0b2d8e4a793', description: 'The random seed, 16 bytes in hex' }) seed!: string;
  @ApiProperty({ example: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', description: 'SHA-256 of the population drawn from' }) populationDigest!: string;
  @ApiProperty({ type: SamplingCounts }) counts!: SamplingCounts;
  @ApiProperty({ type: 'object', additionalProperties: true, example: { total: 13, relatives: 2 } }) required!: Record<string, number>;
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true }, example: [{ subjectId: '0f8fad5b-d9cb-469f-a165-70867728950e', reasons: ['complaint', 'random'] }], description: 'Each selected case with why: complaint, relatives or random' }) selected!: Record<string, unknown>[];
  @ApiProperty({ type: 'object', additionalProperties: true, example: { selected: 13, reviewed: 4 } }) progress!: { selected: number; reviewed: number };
  @ApiProperty({ example: '2026-12-01T00:00:05.000Z' }) drawnAt!: string;
}

/** `POST /sampling/batches/{id}/verify`: the selection derived again from the stored seed, compared. */
export class SamplingVerification {
  @ApiProperty({ example: true, description: 'The stored selection is the one the seed and population give' }) matches!: boolean;
  @ApiProperty({ type: [String], example: [], description: 'What differs, in words (empty when it matches)' }) differences!: string[];
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
  @ApiOkResponse({ type: pageOf(SamplingBatchItem), description: '一页抽查批次及总数 A page of batches with the total' })
  list(@Query() query: BatchListQueryDto, @CurrentPrincipal() principal: Principal) {
    return this.sampling.list(query.region ?? principal.regionCode, { ...query, order: query.order ?? (query.sort === 'countyCode' ? 'asc' : 'desc') });
  }

  /** Draws an ended month of a county once, with its review tasks; the monthly timer draws the counties not drawn by hand. */
  @Post()
  @Roles(Role.CountyCivilAffairs)
  @RegionScoped('county')
  @KnownRegions('county')
  @Created((answer: { id: string }) => `/sampling/batches/${answer.id}`)
  @ApiCreatedResponse({ type: SamplingBatchItem, description: '已抽取 The batch, drawn (or the one drawn before for this county and month)' })
  draw(@Query() query: DrawBatchQueryDto, @CurrentPrincipal() principal: Principal) {
    return this.sampling.drawByHand(query.county, query.period, principal);
  }

  @Get(':id')
  @ApiOkResponse({ type: SamplingBatchItem })
  one(@UuidParam() id: string, @CurrentPrincipal() principal: Principal) {
    return this.sampling.one(id, principal.regionCode);
  }

  /** Re-derives the selection from the stored seed and compares: an auditor's check. */
  @Post(':id/verify')
  @HttpCode(200)
  @ApiOkResponse({ type: SamplingVerification })
  verify(@UuidParam() id: string, @CurrentPrincipal() principal: Principal) {
    return this.sampling.verify(id, principal.regionCode);
  }
}
