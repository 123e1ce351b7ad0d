import { Created } from '../common/created';
import { UuidParam } from '../common/params';
import { KnownRegions } from '../regions/known-regions';
import { IsCalendarDate } from '../common/calendar-date';
import { Body, Controller, Get, HttpCode, Post, Query, Req } from '@nestjs/common';
import type { Request } from 'express';
import { AppConfig } from '../config/app-config';
import { ApiCsvBody, readCsvRecords } from '../common/csv-intake';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { CurrentPrincipal, Principal, RegionScoped, Roles } from '../auth/principal';
import { Role } from '../auth/roles';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { shanghaiDate } from '../policy/shanghai-date';
import { DomainError } from '../common/domain-error';
import { InvalidRequestException } from '../common/problem';
import { RegionQueryDto } from '../sla/sla.controller';
import { CSV_COLUMNS, RelativesRegistry } from './relatives-registry';


export class EndEntryDto {
  @ApiProperty({ example: '2026-09-30' })
  @IsCalendarDate()
  validTo!: string;
}

/** One registry entry as JSON; the registry's own checks (ID numbers, relation, dates) name the failing field. */
export class RegistryEntryDto {
  @ApiProperty({ example: '李四' }) @IsString() @MaxLength(100) staffName!: string;
  @ApiProperty({ example: '410821198501011903' }) @IsString() @MaxLength(18) staffIdNumber!: string;
  @ApiProperty({ enum: ['township-caseworker', 'village-cadre'] }) @IsString() post!: string;
  @ApiProperty({ example: '410821100' }) @IsString() regionCode!: string;
  @ApiProperty({ example: '李五' }) @IsString() @MaxLength(100) relativeName!: string;
  @ApiProperty({ example: '410821199009091918' }) @IsString() @MaxLength(18) relativeIdNumber!: string;
  @ApiProperty({ example: 'child' }) @IsString() relation!: string;
  @ApiProperty({ example: '2026-01-01' }) @IsString() validFrom!: string;
  @ApiPropertyOptional({ example: '2026-12-31' }) @IsOptional() @IsString() validTo?: string;
}

/** One registry entry as the list and `GET /relatives-registry/{id}` answer it: ID numbers masked. */
export class RegistryEntryView {
  @ApiProperty({ format: 'uuid', example: 'a7396cf4-98e9-45cf-8f2e-3b406e4e40a1' }) id!: string;
  @ApiProperty({ example: '王经办' }) staffName!: string;
  @ApiProperty({ example: '410821********1903', description: 'Masked' }) staffIdNumber!: string;
  @ApiProperty({ enum: ['township-caseworker', 'village-cadre'], example: 'township-caseworker' }) post!: string;
  @ApiProperty({ example: '410821100', description: "The staff member's township (9 digits) or village (12 digits)" }) regionCode!: string;
  @ApiProperty({ example: '王弟' }) relativeName!: string;
  @ApiProperty({ example: '410821********1918', description: 'Masked' }) relativeIdNumber!: string;
  @ApiProperty({ example: 'sibling' }) relation!: string;
  @ApiProperty({ format: 'date', example: '2026-01-01' }) validFrom!: string;
  @ApiProperty({ type: String, format: 'date', nullable: true, example: null, description: 'null while in force' }) validTo!: string | null;
}

export class RegistryEntryCreated {
  @ApiProperty({ format: 'uuid', example: 'a7396cf4-98e9-45cf-8f2e-3b406e4e40a1' }) id!: string;
}

/** The relatives registry (近亲属备案, seed 004), kept by county civil affairs for its region. */
@ApiTags('sampling')
@ApiBearerAuth()
@Controller('relatives-registry')
@Roles(Role.CountyCivilAffairs)
export class RelativesRegistryController {
  constructor(
    private readonly registry: RelativesRegistry,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  @Get()
  @RegionScoped('region')
  @ApiOkResponse({ type: [RegistryEntryView] })
  list(@Query() query: RegionQueryDto, @CurrentPrincipal() principal: Principal) {
    return this.registry.list(query.region ?? principal.regionCode);
  }

  /** All or nothing: a file with any bad row imports nothing and reports every bad row. */
  @Post('import')
  // 200: many entries at once, read in the list; the answer is the count.
  @HttpCode(200)
  @ApiCsvBody()
  @ApiOkResponse({ schema: { type: 'object', required: ['imported', 'columns'], properties: { imported: { type: 'integer' }, columns: { type: 'array', items: { type: 'string' } } } } })
  async import(@Req() req: Request, @CurrentPrincipal() principal: Principal) {
    const records = readCsvRecords(req, 'RELATIVES_REGISTRY_LIMIT_BYTES', this.config.RELATIVES_REGISTRY_LIMIT_BYTES, CSV_COLUMNS.filter((c) => c !== 'valid_to'), CSV_COLUMNS);
    const imported = await this.registry.importCsv(records, principal.regionCode, shanghaiDate(this.clock.now()), (count, manager) =>
      this.audit.record({ actor: { id: principal.id, roles: principal.roles }, regionCode: principal.regionCode, action: 'relatives-registry.imported', subjectType: 'relatives-registry', subjectId: principal.regionCode, details: { imported: count } }, manager),
    );
    return { imported, columns: CSV_COLUMNS };
  }

  /**
   * Registers one relative: the CSV's columns as camelCase JSON fields. An entry is never edited or deleted: a
   * correction ends the wrong entry and registers the right one, so every past match keeps the entry that caused it.
   */
  @Post()
  @KnownRegions('regionCode')
  @Created((answer: { id: string }) => `/relatives-registry/${answer.id}`)
  @ApiCreatedResponse({ type: RegistryEntryCreated })
  async create(@Body() body: RegistryEntryDto, @CurrentPrincipal() principal: Principal) {
    const { entry, problems } = this.registry.parseOne(body as unknown as Record<string, unknown>, shanghaiDate(this.clock.now()));
    if (entry && !entry.regionCode.startsWith(principal.regionCode.slice(0, 6))) problems.push({ row: 0, field: 'regionCode', message: `regionCode is outside the caller's county ${principal.regionCode}` });
    if (!entry || problems.length) throw new InvalidRequestException(problems.map(({ field, message }) => ({ field, message })));
    const [id] = await this.registry.insert([entry]);
    await this.audit.record({ actor: { id: principal.id, roles: principal.roles }, regionCode: entry.regionCode, action: 'relatives-registry.created', subjectType: 'relatives-registry-entry', subjectId: id!, details: { post: entry.post, relation: entry.relation } });
    return { id };
  }

  /** One entry, as the list shows it (ID numbers masked). */
  @Get(':id')
  @ApiOkResponse({ type: RegistryEntryView })
  async one(@UuidParam() id: string, @CurrentPrincipal() principal: Principal) {
    const entry = await this.registry.one(id, principal.regionCode);
    if (!entry) throw new DomainError('entry-not-found', `no registry entry ${id} in the caller's region`, 404);
    return entry;
  }

  @Post(':id/end')
  @HttpCode(204)
  async end(@UuidParam() id: string, @Body() body: EndEntryDto, @CurrentPrincipal() principal: Principal): Promise<void> {
    if (!(await this.registry.end(id, body.validTo, principal.regionCode))) throw new DomainError('entry-not-found', `no registry entry ${id} in the caller's region that starts before ${body.validTo}`, 404);
    await this.audit.record({ actor: { id: principal.id, roles: principal.roles }, regionCode: principal.regionCode, action: 'relatives-registry.ended', subjectType: 'relatives-registry-entry', subjectId: id, details: { validTo: body.validTo } });
  }
}

