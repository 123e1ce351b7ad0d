import { UuidParam } from '../common/params';
import { KnownRegions } from '../regions/known-regions';
import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Created } from '../common/created';
import { CurrentPrincipal, Principal, RegionScoped, Roles } from '../auth/principal';
import { regionCovers } from '../auth/region';
import { Role } from '../auth/roles';
import { Clock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { Idempotent, IdempotencyKey } from '../common/idempotency/idempotency.interceptor';
import { RegionQueryDto } from '../sla/sla.controller';
import { ReserveFundService } from './reserve-fund.service';
import { AidListQueryDto, AidRequestCreated, AidRequestItem, AidRequestView, CreateAidRequestDto, FundCreditDto, PaperworkDto } from './temporary-aid.dto';
import { TemporaryAidService } from './temporary-aid.service';

const READERS = [Role.VillageCommittee, Role.TownshipCaseworker, Role.TownshipLeader, Role.CountyCivilAffairs, Role.Supervisor, Role.Integrator];

/** Temporary aid (PROCEDURES.md §3): requests from any channel, region-scoped by the caller's token. */
@ApiTags('temporary-aid')
@ApiBearerAuth()
@Controller('temporary-aid')
export class TemporaryAidController {
  constructor(private readonly aid: TemporaryAidService) {}

  @Post('requests')
  @KnownRegions('regionCode')
  @Roles(Role.Integrator, Role.VillageCommittee, Role.TownshipCaseworker)
  @RegionScoped('regionCode')
  @Idempotent()
  @Created((answer: { requestId: string }) => `/temporary-aid/requests/${answer.requestId}`)
  @ApiCreatedResponse({ type: AidRequestCreated })
  create(@Body() body: CreateAidRequestDto, @CurrentPrincipal() principal: Principal, @IdempotencyKey() key?: string) {
    return this.aid.create(body, principal, key);
  }

  @Get('requests')
  @Roles(...READERS)
  @RegionScoped('region')
  @ApiOkResponse({ type: [AidRequestItem] })
  list(@Query() query: AidListQueryDto, @CurrentPrincipal() principal: Principal) {
    return this.aid.list(query, principal);
  }

  /** Status with its deadlines, amount and tier, payments, who must act now, and the timeline. */
  @Get('requests/:id')
  @Roles(...READERS)
  @ApiOkResponse({ type: AidRequestView })
  read(@UuidParam() id: string, @CurrentPrincipal() principal: Principal) {
    return this.aid.read(id, principal);
  }

  /** The paperwork of a rescue-first payment (registration, reasons, amount, signatures), within its deadline. */
  @Post('requests/:id/paperwork')
  @HttpCode(204)
  @Roles(Role.TownshipCaseworker)
  async paperwork(@UuidParam() id: string, @Body() body: PaperworkDto, @CurrentPrincipal() principal: Principal): Promise<void> {
    await this.aid.filePaperwork(id, body, principal);
  }
}

/** Each township's reserve fund for rescue first: balance and ledger; the county advances and replenishes it. */
export class ReserveFundItem {
  @ApiProperty({ example: '410821100' }) townshipCode!: string;
  @ApiProperty({ example: '410821' }) countyCode!: string;
  @ApiProperty({ type: 'integer', example: 560000, description: 'Balance, fen' }) balanceFen!: number;
}

export class LedgerEntryView {
  @ApiProperty({ example: '1' }) id!: string;
  @ApiProperty({ enum: ['advance', 'debit', 'replenishment'], example: 'advance', description: 'debit: a rescue-first payment' }) kind!: string;
  @ApiProperty({ type: 'integer', example: 500000, description: 'fen' }) amountFen!: number;
  @ApiProperty({ type: 'integer', example: 500000, description: 'The balance after this line, fen' }) balanceAfterFen!: number;
  @ApiProperty({ type: String, nullable: true, format: 'uuid', description: 'The temporary-aid request a debit paid; null otherwise' }) requestId!: string | null;
  @ApiProperty({ example: '2026年第四季度备用金' }) note!: string;
  @ApiProperty({ format: 'date-time', example: '2026-09-14T01:00:00.000Z' }) at!: string;
  @ApiProperty({ example: 'county-civil-affairs-zhou' }) actorId!: string;
}

export class ReserveFundAlertView {
  @ApiProperty({ example: '1' }) id!: string;
  @ApiProperty({ example: '410821100' }) townshipCode!: string;
  @ApiProperty({ example: '410821' }) countyCode!: string;
  @ApiProperty({ type: 'integer', example: 100000, description: 'The low-balance threshold of the profile, fen' }) thresholdFen!: number;
  @ApiProperty({ type: 'integer', example: 80000, description: 'The balance that raised it, fen' }) balanceFen!: number;
  @ApiProperty({ example: 'jiaozuo-2022-154' }) profileVersionId!: string;
  @ApiProperty({ format: 'date-time' }) raisedAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'null while open' }) closedAt!: string | null;
  @ApiProperty({ type: 'integer', nullable: true, description: 'The balance that closed it, fen' }) closedBalanceFen!: number | null;
}

export class ReserveFundLedger {
  @ApiProperty({ example: '410821100' }) townshipCode!: string;
  @ApiProperty({ type: 'integer', example: 500000, description: 'fen' }) balanceFen!: number;
  @ApiProperty({ type: [LedgerEntryView], description: 'Newest first' }) entries!: LedgerEntryView[];
  @ApiProperty({ type: [ReserveFundAlertView], description: 'Low-balance alerts, newest first' }) alerts!: ReserveFundAlertView[];
}

@ApiTags('temporary-aid')
@ApiBearerAuth()
@Controller('reserve-funds')
export class ReserveFundController {
  constructor(
    private readonly funds: ReserveFundService,
    private readonly clock: Clock,
  ) {}

  @Get()
  @Roles(Role.TownshipCaseworker, Role.TownshipLeader, Role.CountyCivilAffairs, Role.CountyFinance, Role.Supervisor)
  @RegionScoped('region')
  @ApiOkResponse({ type: [ReserveFundItem] })
  list(@Query() query: RegionQueryDto, @CurrentPrincipal() principal: Principal) {
    return this.funds.funds(query.region ?? principal.regionCode);
  }

  @Get(':township')
  @Roles(Role.TownshipCaseworker, Role.TownshipLeader, Role.CountyCivilAffairs, Role.CountyFinance, Role.Supervisor)
  @ApiOkResponse({ type: ReserveFundLedger })
  ledger(@Param('township') township: string, @CurrentPrincipal() principal: Principal) {
    this.inScope(township, principal);
    return this.funds.ledger(township);
  }

  @Post(':township/advances')
  @KnownRegions('township')
  @Roles(Role.CountyCivilAffairs)
  @Idempotent()
  // The new ledger line is read in its township's ledger (lines have no route of their own).
  @Created((_answer, params) => `/reserve-funds/${params.township}`)
  @ApiCreatedResponse({ type: LedgerEntryView, description: 'The new ledger line' })
  advance(@Param('township') township: string, @Body() body: FundCreditDto, @CurrentPrincipal() principal: Principal, @IdempotencyKey() key?: string) {
    return this.credit('advance', township, body, principal, key);
  }

  @Post(':township/replenishments')
  @KnownRegions('township')
  @Roles(Role.CountyCivilAffairs)
  @Idempotent()
  @Created((_answer, params) => `/reserve-funds/${params.township}`)
  @ApiCreatedResponse({ type: LedgerEntryView, description: 'The new ledger line' })
  replenish(@Param('township') township: string, @Body() body: FundCreditDto, @CurrentPrincipal() principal: Principal, @IdempotencyKey() key?: string) {
    return this.credit('replenishment', township, body, principal, key);
  }

  private async credit(kind: 'advance' | 'replenishment', township: string, body: FundCreditDto, principal: Principal, key?: string) {
    this.inScope(township, principal);
    return this.funds.credit({ townshipCode: township, kind, amountFen: body.amountFen, note: body.note, actorId: principal.id, actorRoles: principal.roles, at: this.clock.now(), idempotencyKey: key });
  }

  private inScope(township: string, principal: Principal): void {
    if (!/^\d{9}$/.test(township)) throw new DomainError('invalid-township', 'township must be a 9-digit township code', 400);
    if (!regionCovers(principal.regionCode, township)) throw new DomainError('region-out-of-scope', `township ${township} is outside the caller's region`, 403);
  }
}
