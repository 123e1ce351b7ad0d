import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { RegionScoped, Roles } from '../auth/principal';
import { Role } from '../auth/roles';
import { Clock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { PolicyError, PolicyProfiles } from '../policy/policy-profiles';
import { shanghaiDate } from '../policy/shanghai-date';
import { assess, type AssessmentResult } from './assess';
import { AssessmentAnswer, AssessmentRequestDto } from './assessment.dto';

/** Dry-run income assessment: what the profile in force would decide for this household. Nothing is stored. */
@ApiTags('assessment')
@ApiBearerAuth()
@Controller('assessments')
export class AssessmentController {
  constructor(
    @Inject(PolicyProfiles) private readonly profiles: PolicyProfiles,
    private readonly clock: Clock,
  ) {}

  @Post()
  @HttpCode(200)
  @Roles(Role.VillageCommittee, Role.TownshipCaseworker, Role.TownshipLeader, Role.CountyCivilAffairs, Role.Supervisor, Role.Integrator)
  @RegionScoped('region')
  @ApiOkResponse({ type: AssessmentAnswer, description: 'Outcome, benefit in fen and every step with the parameter and source it applied.' })
  run(@Body() body: AssessmentRequestDto): AssessmentResult & { profileName: string } {
    const date = body.date ?? shanghaiDate(this.clock.now());
    let profile;
    try {
      profile = this.profiles.inForce(this.profiles.profileFor(body.region).id, date);
    } catch (error) {
      if (error instanceof PolicyError) throw new DomainError('no-profile-in-force', error.message, 422);
      throw error;
    }
    const members = body.members.map(({ idNumber: _, ...member }) => member);
    return { ...assess({ area: body.area, members, incomes: body.incomes, expenditures: body.expenditures, assets: body.assets }, profile), profileName: profile.profileName };
  }
}
