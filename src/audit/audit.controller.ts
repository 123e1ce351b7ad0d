import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { CurrentPrincipal, Principal, RegionScoped, Roles } from '../auth/principal';
import { REGION_CODE_PATTERN } from '../auth/region';
import { Role } from '../auth/roles';
import { AuditEvent } from './audit-event.entity';
import { AuditService } from './audit.service';

export class AuditQueryDto {
  /** Defaults to the caller's region. */
  @IsOptional()
  @Matches(REGION_CODE_PATTERN, { message: 'regionCode must be a 6-, 9- or 12-digit region code' })
  regionCode?: string;

  @IsOptional()
  @IsString()
  subjectType?: string;

  @IsOptional()
  @IsString()
  subjectId?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit = 100;
}

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit-events')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @Roles(Role.Supervisor, Role.CountyCivilAffairs)
  @RegionScoped('regionCode')
  list(@Query() query: AuditQueryDto, @CurrentPrincipal() principal: Principal): Promise<AuditEvent[]> {
    return this.audit.find({ ...query, regionCode: query.regionCode ?? principal.regionCode });
  }
}
