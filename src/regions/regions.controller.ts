import { Created } from '../common/created';
import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles } from '../auth/principal';
import { isRegionCode } from '../auth/region';
import { Role } from '../auth/roles';
import { DomainError } from '../common/domain-error';
import { InvalidRequestException } from '../common/problem';
import { Region } from './regions.repository';
import { RegionRegistry, regionLabel } from './region-registry';
import { CreateRegionDto, RegionChildrenQueryDto } from './regions.dto';

const LEVELS = ['province', 'city', 'county', 'township', 'village'];

/** One link of a region's chain, from the province down. */
export class RegionLink {
  @ApiProperty({ example: '410821' }) code!: string;
  @ApiProperty({ enum: LEVELS, example: 'county' }) level!: string;
  @ApiProperty({ example: '修武县' }) name!: string;
}

export class RegionView {
  @ApiProperty({ example: '410821100201', description: '6-, 9- or 12-digit code' }) code!: string;
  @ApiProperty({ enum: LEVELS, example: 'village' }) level!: string;
  @ApiProperty({ example: '东关村民委员会' }) name!: string;
  @ApiProperty({ example: '东关村民委员会（410821100201）', description: 'Name and code, as letters and screens print it' }) label!: string;
  @ApiProperty({ type: String, nullable: true, example: '410821100', description: 'null for a province' }) parentCode!: string | null;
  @ApiProperty({ example: '2023', description: "The national dataset's year, or 'local' for a county's own addition" }) source!: string;
}

export class RegionWithChain extends RegionView {
  @ApiProperty({ type: [RegionLink], description: 'From the province down to the region itself' }) chain!: RegionLink[];
}

const view = (r: Region) => ({ code: r.code, level: r.level, name: r.name, label: regionLabel(r), parentCode: r.parentCode, source: r.source });

/**
 * The region registry: administrative divisions by code, with names. Any caller may read it (the divisions are public);
 * a county's civil affairs adds its own new townships and villages.
 */
@ApiTags('regions')
@ApiBearerAuth()
@Controller('regions')
export class RegionsController {
  constructor(private readonly registry: RegionRegistry) {}

  /** The direct children of a county (its townships) or of a township (its villages). */
  @Get()
  @ApiOkResponse({ type: [RegionView] })
  async children(@Query() query: RegionChildrenQueryDto) {
    return (await this.registry.children(query.parent)).map(view);
  }

  /** A region with its chain of names from the province down. */
  @Get(':code')
  @ApiOkResponse({ type: RegionWithChain })
  async one(@Param('code') code: string) {
    if (!isRegionCode(code)) throw new InvalidRequestException([{ field: 'code', message: 'code must be a 6-, 9- or 12-digit region code' }]);
    const chain = await this.registry.chain(code);
    const region = chain[chain.length - 1];
    if (!region) throw new DomainError('region-not-found', `unknown region code ${code}`, 404);
    return { ...view(region), chain: chain.map((r) => ({ code: r.code, level: r.level, name: r.name })) };
  }

  /** Adds a township or village under the caller's own county (audited); the code's shape names its parent. */
  @Post()
  @Roles(Role.CountyCivilAffairs)
  @Created((answer: { code: string }) => `/regions/${answer.code}`)
  @ApiCreatedResponse({ type: RegionView })
  async add(@Body() body: CreateRegionDto, @CurrentPrincipal() principal: Principal) {
    return view(await this.registry.add(body, principal));
  }
}
