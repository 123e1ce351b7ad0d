import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, type HealthIndicatorResult, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { CalendarNotices } from '../calendar/calendar-notices.service';
import type { Response } from 'express';
import { Public } from '../auth/principal';
import { EngineHealthIndicator } from './engine.health';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly engine: EngineHealthIndicator,
    private readonly calendar: CalendarNotices,
  ) {}

  /** 200 when the database and the workflow engine answer; 503 with the same report otherwise. Calendar warnings ride along. */
  @Get()
  @Public()
  @HealthCheck()
  async check(@Res({ passthrough: true }) response: Response) {
    try {
      return await this.health.check([
        () => this.database.pingCheck('database', { timeout: 3_000 }),
        () => this.engine.check('engine'),
        // Never a failure: a year without its official notice is counted on the statutory calendar (a warning).
        () => ({ calendar: this.calendar.health() as HealthIndicatorResult[string] }),
      ]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      response.status(503);
      return error.getResponse();
    }
  }
}
