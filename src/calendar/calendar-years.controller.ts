import { Body, Controller, Get, Param, ParseIntPipe, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiTags } from '@nestjs/swagger';
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

const INSTANT = { type: 'string', format: 'date-time', example: '2026-11-12T02:00:00.000Z' };
const HOLIDAYS = NOTICE_SCHEMA.properties.holidays;
const WORKDAYS = NOTICE_SCHEMA.properties.workdays;
const BASIS = { type: 'string', example: 'official:2027-v1', description: '`official:<version>` (official:2026-shipped for a notice shipped with the service) or `statutory`' };

/** One year as the calendar uses it (CalendarNotices.list). */
const YEAR_SCHEMA = {
  type: 'object',
  required: ['year', 'source', 'basis', 'notice', 'holidays', 'workdays', 'versions'],
  properties: {
    year: { type: 'integer', example: 2027 },
    source: { type: 'string', enum: ['loaded', 'shipped', 'statutory'], description: 'loaded through this API, shipped with the service, or the statutory holidays only' },
    basis: BASIS,
    notice: {
      ...NOTICE_SCHEMA,
      nullable: true,
      properties: {
        year: { type: 'integer', example: 2027 },
        ...NOTICE_SCHEMA.properties,
        // A notice loaded through the API carries its version and who loaded it when.
        version: { type: 'integer', example: 1 },
        loadedBy: { type: 'string', example: 'calendar-admin' },
        loadedAt: INSTANT,
      },
      description: 'The official notice, when the year has one',
    },
    holidays: HOLIDAYS,
    workdays: WORKDAYS,
    versions: {
      type: 'array',
      description: 'Every version loaded through the API, oldest first (the newest is in force)',
      items: {
        type: 'object',
        required: ['version', 'title', 'number', 'date', 'loadedBy', 'loadedAt'],
        properties: { version: { type: 'integer', example: 1 }, title: { type: 'string' }, number: { type: 'string', nullable: true }, date: DATE, loadedBy: { type: 'string', example: 'calendar-admin' }, loadedAt: INSTANT },
      },
    },
  },
};

/** The answer to a loaded notice (CalendarNotices.load). */
const LOADED_SCHEMA = {
  type: 'object',
  required: ['year', 'version', 'basis', 'retimed', 'stored'],
  properties: {
    year: { type: 'integer', example: 2027 },
    version: { type: 'integer', example: 1, description: 'The version in force now' },
    basis: BASIS,
    retimed: {
      type: 'array',
      description: 'Open deadlines computed again on the new calendar',
      items: {
        type: 'object',
        required: ['id', 'type', 'subjectType', 'subjectId', 'from', 'to'],
        properties: { id: { type: 'string', example: '42' }, type: { type: 'string', example: 'dibao.acceptance' }, subjectType: { type: 'string', example: 'dibao-case' }, subjectId: { type: 'string' }, from: { ...INSTANT, description: 'The due instant before' }, to: { ...INSTANT, description: 'The due instant now' } },
      },
    },
    stored: { type: 'boolean', example: true, description: 'false when the body equals the version in force: nothing stored, nothing re-timed' },
  },
};

/** The holiday calendar's years: where each comes from, and loading the State Council's notice for one. */
@ApiTags('calendar')
@ApiBearerAuth()
@Controller('calendar/years')
export class CalendarYearsController {
  constructor(private readonly notices: CalendarNotices) {}

  @Get()
  @ApiOkResponse({ schema: { type: 'array', items: YEAR_SCHEMA } })
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
  @ApiOkResponse({ schema: LOADED_SCHEMA })
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
