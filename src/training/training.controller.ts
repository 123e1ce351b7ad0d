import { Body, Controller, Get, Inject, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString } from 'class-validator';
import { AuditService } from '../audit/audit.service';
import { CurrentPrincipal, Principal, Roles } from '../auth/principal';
import { Role } from '../auth/roles';
import { Clock, EngineClock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { InvalidRequestException } from '../common/problem';
import { AppConfig } from '../config/app-config';
import { CAMUNDA_CLIENT, CamundaClient } from '../workflow/camunda-client';

/** An instant with its offset: 2026-12-25T01:00:00+08:00 or 2026-12-24T17:00:00Z. */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

export class TrainingClockDto {
  @ApiPropertyOptional({ description: '把整个系统的时钟拨到此时刻（带时区偏移，不早于当前时间）/ the instant to move the whole system to, with its offset, not before now', example: '2026-12-25T01:00:00+08:00' })
  @IsOptional()
  @IsString({ message: 'at must be an instant such as 2026-12-25T01:00:00+08:00' })
  at?: string;

  @ApiPropertyOptional({ description: '回到真实时间 / back to real time', example: true })
  @IsOptional()
  @IsBoolean({ message: 'reset must be true or false' })
  reset?: boolean;
}

/** What the system takes as "now", and whether this install lets it be moved. */
export class TrainingClockView {
  @ApiProperty({ format: 'date-time', example: '2026-09-14T01:00:00.000Z', description: 'UTC instant' }) now!: string;
  @ApiProperty({ example: false, description: 'Only a training install, on the embedded engine, moves its clock' }) movable!: boolean;
}

/**
 * The clock of a training install (issue 21, "One clock for training installs"): the service reads the embedded
 * engine's clock outside production (src/common/clock.ts serviceClock), so pinning the engine's clock here moves the
 * engine's timers and the service's "now" together. Refused in production and where the clocks are not joined.
 */
@ApiTags('training')
@ApiBearerAuth()
@Controller('training/clock')
export class TrainingController {
  constructor(
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly audit: AuditService,
    @Inject(CAMUNDA_CLIENT) private readonly camunda: CamundaClient,
  ) {}

  @Get()
  @ApiOkResponse({ type: TrainingClockView })
  now() {
    return { now: this.clock.now().toISOString(), movable: this.refusal() === undefined };
  }

  @Put()
  @Roles(Role.Trainer)
  @ApiOkResponse({ type: TrainingClockView, description: 'The clock, moved' })
  async move(@Body() body: TrainingClockDto, @CurrentPrincipal() principal: Principal) {
    const refused = this.refusal();
    if (refused) throw refused;
    const from = this.clock.now();
    const to = this.target(body, from);
    // The engine fires every timer due by then before it answers; the service reads the same clock (EngineClock).
    if (to) await this.camunda.pinClock({ timestamp: to.getTime() });
    else await this.camunda.resetClock();
    const now = this.clock.now();
    await this.audit.record({
      actor: { id: principal.id, roles: principal.roles },
      regionCode: principal.regionCode,
      action: to ? 'training.clock-moved' : 'training.clock-reset',
      subjectType: 'clock',
      subjectId: 'system',
      details: { from: from.toISOString(), to: now.toISOString() },
    });
    return { now: now.toISOString(), movable: true };
  }

  /** Why the clock cannot be moved here, if it cannot. */
  private refusal(): DomainError | undefined {
    if (this.config.NODE_ENV === 'production') {
      return new DomainError('training-clock-in-production', '生产环境不能拨动时钟 / the clock cannot be moved in production (NODE_ENV=production)', 403);
    }
    if (!(this.clock instanceof EngineClock)) {
      return new DomainError(
        'clock-not-joined',
        '本服务的时钟不跟随引擎时钟（外部 Camunda 或测试时钟），拨动会使两者不一致 / the service does not read the engine\'s clock here (an external Camunda, or a test clock): moving one would split them',
        409,
      );
    }
    return undefined;
  }

  /** The instant asked for, or undefined for a reset; 400 naming the field otherwise. */
  private target(body: TrainingClockDto, now: Date): Date | undefined {
    const hasAt = body.at !== undefined;
    if (hasAt === (body.reset === true)) {
      throw new InvalidRequestException([{ field: hasAt ? 'reset' : 'at', message: '请给出 at 或 reset: true 之一 / give either at or reset: true' }]);
    }
    if (!hasAt) return undefined;
    const at = new Date(body.at!);
    if (!INSTANT.test(body.at!) || Number.isNaN(at.getTime())) {
      throw new InvalidRequestException([{ field: 'at', message: 'at 须为带时区偏移的时刻，如 2026-12-25T01:00:00+08:00 / at must be an instant with its offset, e.g. 2026-12-25T01:00:00+08:00' }]);
    }
    // Records keep their order: a deadline is never met before it started. Back to real time is `reset`.
    if (at < now) {
      throw new InvalidRequestException([{ field: 'at', message: `不能早于当前时间 ${now.toISOString()}；回到真实时间请用 reset / must not be before now (${now.toISOString()}); use reset to return to real time` }]);
    }
    return at;
  }
}
