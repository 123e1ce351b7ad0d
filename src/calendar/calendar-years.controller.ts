import { Body, Controller, Get, Param, ParseIntPipe, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles } from '../auth/principal';
import { Role } from '../auth/roles';
import { DomainError } from '../common/domain-error';
import { InvalidRequestException } from '../common/problem';
import { CalendarNotices } from './calendar-notices.service';

const DATE = { type: 'string', format: 'date', example: '2027-01-01' };
/** The notice's shape, as CalendarNotices.load checks it (it reads the body itself: the same shape as the shipped YAML). */
const NOTICE_SCHEMA = {
  type: 'object',
  required: ['title', 'number', 'date', 'holidays', 'workdays'],
  properties: {
    title: { type: 'string' },
    number: { type: 'string', nullable: true, description: '文号, or null' },
    date: DATE,
    holidays: { type: 'array', items: { type: 'object', required: ['name', 'from', 'to'], properties: { name: { type: 'string' }, from: DATE, to: DATE } } },
    workdays: { type: 'array', description: 'Make-up working days', items: { type: 'object', required: ['date', 'for'], properties: { date: DATE, for: { type: 'string' } } } },
  },
};

/** The holiday calendar's years: where each comes from, and loading the State Council's notice for one. */
@ApiTags('calendar')
@ApiBearerAuth()
@Controller('calendar/years')
export class CalendarYearsController {
  constructor(private readonly notices: CalendarNotices) {}

  @Get()
  list() {
    return this.notices.list();
  }

  /**
   * Loads the State Council's notice for a year (a new version; earlier ones are kept). Open deadlines that passed
   * through that year on another calendar are re-timed, and the engine's timers move with them.
   */
  @Put(':year')
  @Roles(Role.CalendarAdmin)
  @ApiBody({ schema: NOTICE_SCHEMA })
  load(
    @Param('year', new ParseIntPipe({ exceptionFactory: () => new InvalidRequestException([{ field: 'year', message: 'year must be a four-digit year, e.g. 2027' }]) })) year: number,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
  ) {
    // The State Council's arrangement is national: only a province's or the nation's administrator loads it.
    if (!principal.regionCode.endsWith('0000')) {
      throw new DomainError('region-not-allowed', `a holiday notice is loaded by a calendar administrator of a province (e.g. 410000) or the nation (000000), not of ${principal.regionCode}`, 403);
    }
    return this.notices.load(year, body, principal);
  }
}
