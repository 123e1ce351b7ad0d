import { Body, Controller, Get, Param, ParseIntPipe, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles } from '../auth/principal';
import { Role } from '../auth/roles';
import { DomainError } from '../common/domain-error';
import { InvalidRequestException } from '../common/problem';
import { CalendarNotices } from './calendar-notices.service';

/** A made-up example: the shape of the State Council's notice (the real 2027 notice was not available here). */
const EXAMPLE = {
  title: '国务院办公厅关于2027年部分节假日安排的通知',
  number: '国办发明电〔2026〕0号',
  date: '2026-11-10',
  holidays: [
    { name: "元旦 New Year's Day", from: '2027-01-01', to: '2027-01-03' },
    { name: '春节 Spring Festival', from: '2027-02-05', to: '2027-02-11' },
    { name: '清明节 Qingming Festival', from: '2027-04-03', to: '2027-04-05' },
    { name: '劳动节 Labour Day', from: '2027-05-01', to: '2027-05-05' },
    { name: '端午节 Dragon Boat Festival', from: '2027-06-09', to: '2027-06-11' },
    { name: '中秋节 Mid-Autumn Festival', from: '2027-09-15', to: '2027-09-17' },
    { name: '国庆节 National Day', from: '2027-10-01', to: '2027-10-07' },
  ],
  workdays: [{ date: '2027-02-20', for: '春节 Spring Festival' }],
};

/** The holiday calendar's years: where each comes from, and loading the State Council's notice for one. */
@ApiTags('calendar')
@ApiBearerAuth()
@Controller('calendar/years')
export class CalendarYearsController {
  constructor(private readonly notices: CalendarNotices) {}

  @Get()
  @ApiOperation({ summary: 'Each year of the calendar with its source (loaded, shipped, statutory), basis and versions' })
  list() {
    return this.notices.list();
  }

  /**
   * Loads the State Council's notice for a year (a new version; earlier ones are kept). Open deadlines that passed
   * through that year on another calendar are re-timed, and the engine's timers move with them.
   */
  @Put(':year')
  @Roles(Role.CalendarAdmin)
  @ApiOperation({ summary: "Load a year's official holiday notice (calendar-admin of a province or the nation)" })
  @ApiBody({ schema: { type: 'object', example: EXAMPLE } })
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
