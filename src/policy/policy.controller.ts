import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { IsCalendarDate } from '../common/calendar-date';
import { ApiBearerAuth, ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import { REGION_CODE_PATTERN } from '../auth/region';
import { Clock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { PolicyError, PolicyProfiles, type Profile, type ResolvedProfile } from './policy-profiles';
import { shanghaiDate } from './shanghai-date';
import { PolicyProfileItem, PolicyProfileView, ResolvedProfileView } from './policy.views';

export class InForceQueryDto {
  @ApiProperty({ description: '行政区划代码（县、乡镇或村）The region: a 6-, 9- or 12-digit code; its county\'s profile applies', example: '410821100201' })
  @Matches(REGION_CODE_PATTERN, { message: 'region must be a 6-, 9- or 12-digit region code' })
  region!: string;

  @ApiPropertyOptional({ description: '日期（默认今天，Asia/Shanghai）The date, of the Asia/Shanghai calendar; today when left out', example: '2026-09-14' })
  @IsOptional()
  @IsCalendarDate()
  date?: string;
}

/** The policy profiles, readable by every signed-in role: the rules a case is decided by are no secret. */
@ApiTags('policy')
@ApiBearerAuth()
@Controller('policy-profiles')
export class PolicyController {
  constructor(
    @Inject(PolicyProfiles) private readonly profiles: PolicyProfiles,
    private readonly clock: Clock,
  ) {}

  @Get()
  @ApiOkResponse({ type: [PolicyProfileItem], description: 'Every profile with its counties and versions (parameters left out).' })
  list() {
    return this.profiles.list().map(({ id, name, extends: parent, regions, versions }) => ({
      id,
      name,
      extends: parent ?? null,
      regions,
      versions: versions.map(({ id: versionId, effectiveFrom, document }) => ({ id: versionId, effectiveFrom, document })),
    }));
  }

  /** The version in force for a region on a date, inherited parameters filled in and marked. */
  @Get('in-force')
  @ApiOkResponse({ type: ResolvedProfileView })
  inForce(@Query() query: InForceQueryDto): ResolvedProfile {
    const date = query.date ?? shanghaiDate(this.clock.now());
    const profile = this.profiles.profileFor(query.region);
    try {
      return this.profiles.inForce(profile.id, date);
    } catch (error) {
      if (error instanceof PolicyError) throw new DomainError('no-profile-in-force', error.message, 404);
      throw error;
    }
  }

  @Get(':id')
  @ApiOkResponse({ type: PolicyProfileView })
  one(@Param('id') id: string): Profile {
    const profile = this.profiles.get(id);
    if (!profile) throw new DomainError('profile-not-found', `no policy profile "${id}"`, 404);
    return profile;
  }
}
