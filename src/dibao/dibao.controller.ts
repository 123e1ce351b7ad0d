import { UuidParam } from '../common/params';
import { KnownRegions } from '../regions/known-regions';
import { Body, Controller, Get, HttpCode, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Created } from '../common/created';
import { pageOf } from '../common/paging';
import type { Response } from 'express';
import { CurrentPrincipal, Principal, RegionScoped, Roles } from '../auth/principal';
import { Role } from '../auth/roles';
import { Idempotent, IdempotencyKey } from '../common/idempotency/idempotency.interceptor';
import { ApplicationCreatedDto, CaseListItem, CaseListQueryDto, CaseView, CreateApplicationDto, ExtensionDto, MaterialsDto, ObjectionDto, ReviewDecided, ReviewDto, ReviewHearing } from './dibao.dto';
import { DibaoReviewService } from './dibao-review.service';
import { DibaoService } from './dibao.service';

const CASE_ROLES = [Role.VillageCommittee, Role.TownshipCaseworker, Role.TownshipLeader, Role.CountyCivilAffairs, Role.Supervisor, Role.Integrator];

/** Dibao applications and cases (PROCEDURES.md §1), region-scoped by the caller's token. */
@ApiTags('dibao')
@ApiBearerAuth()
@Controller('dibao')
export class DibaoController {
  constructor(
    private readonly dibao: DibaoService,
    private readonly reviews: DibaoReviewService,
  ) {}

  @Post('applications')
  @KnownRegions('regionCode')
  @Roles(Role.Integrator, Role.VillageCommittee, Role.TownshipCaseworker)
  @RegionScoped('regionCode')
  @Idempotent()
  @Created((answer: { caseId: string }) => `/dibao/cases/${answer.caseId}`)
  @ApiCreatedResponse({ type: ApplicationCreatedDto, description: '已受理登记 / Recorded; the procedure starts' })
  apply(@Body() body: CreateApplicationDto, @CurrentPrincipal() principal: Principal, @IdempotencyKey() key?: string) {
    return this.dibao.apply(body, principal, key);
  }

  @Get('cases')
  @Roles(...CASE_ROLES)
  @ApiOkResponse({ type: pageOf(CaseListItem), description: '一页案件及总数（身份证号不出现在列表中）A page of cases with the total (no ID numbers in the list)' })
  @RegionScoped('region')
  list(@Query() query: CaseListQueryDto, @CurrentPrincipal() principal: Principal) {
    return this.dibao.list(query, principal);
  }

  /** Status, who must act now, open deadlines, notices and the timeline. */
  @Get('cases/:id')
  @Roles(...CASE_ROLES)
  @ApiOkResponse({ type: CaseView })
  read(@UuidParam() id: string, @CurrentPrincipal() principal: Principal) {
    return this.dibao.read(id, principal);
  }

  @Post('cases/:id/materials')
  @HttpCode(204)
  @Roles(Role.Integrator, Role.VillageCommittee, Role.TownshipCaseworker)
  async materials(@UuidParam() id: string, @Body() body: MaterialsDto, @CurrentPrincipal() principal: Principal): Promise<void> {
    await this.dibao.supplyMaterials(id, body, principal);
  }

  /** During the public notice anyone may object, through a channel or the village committee. */
  @Post('cases/:id/objections')
  @HttpCode(204)
  @Roles(Role.Integrator, Role.VillageCommittee, Role.TownshipCaseworker)
  async object(@UuidParam() id: string, @Body() body: ObjectionDto, @CurrentPrincipal() principal: Principal): Promise<void> {
    await this.dibao.object(id, body, principal);
  }

  /** The one extension of the procedure deadline to the longer limit, with its reason. */
  @Post('cases/:id/extension')
  @HttpCode(204)
  @Roles(Role.CountyCivilAffairs)
  async extend(@UuidParam() id: string, @Body() body: ExtensionDto, @CurrentPrincipal() principal: Principal): Promise<void> {
    await this.dibao.extend(id, body, principal);
  }

  /**
   * The periodic review of an enrolled household: the benefit follows it (200), or a gradual exit when work lifted it
   * above the standard (200); above it for another reason, a hearing of the family is opened (202: the outcome comes
   * with the hearing's conclusion).
   */
  @Post('cases/:id/reviews')
  @HttpCode(200)
  @Roles(Role.TownshipCaseworker)
  @ApiOkResponse({ type: ReviewDecided })
  @ApiAcceptedResponse({ type: ReviewHearing, description: '家庭听证后再定 The family is heard before the benefit is reduced or ended' })
  async review(@UuidParam() id: string, @Body() body: ReviewDto, @CurrentPrincipal() principal: Principal, @Res({ passthrough: true }) response: Response) {
    const outcome = await this.reviews.review(id, body, principal);
    if (outcome.outcome === 'hearing') response.status(202);
    return outcome;
  }
}
