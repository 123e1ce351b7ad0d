import { Controller, Get, Inject, Query } from '@nestjs/common';
import { IsCalendarDate, IsDateOrdered } from '../common/calendar-date';
import { ApiBearerAuth, ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { DomainError } from '../common/domain-error';
import { CalendarError, HolidayCalendar, OutsideCalendarError } from './holiday-calendar';

export class WorkingDaysBetweenDto {
  @ApiProperty({ format: 'date', description: '起始日（不计入）The first date, not counted (Asia/Shanghai calendar)', example: '2026-09-14' })
  @IsCalendarDate()
  @IsDateOrdered('before', 'to')
  from!: string;

  @ApiProperty({ format: 'date', description: '截止日（计入）The last date, counted (Asia/Shanghai calendar)', example: '2026-10-14' })
  @IsCalendarDate()
  @IsDateOrdered('after', 'from')
  to!: string;
}

export class AddWorkingDaysDto {
  @ApiProperty({ format: 'date', description: '起算日（不计入）The date counted from, itself not counted (Asia/Shanghai calendar)', example: '2026-09-14' })
  @IsCalendarDate()
  date!: string;

  @ApiProperty({ type: 'integer', minimum: 0, maximum: 366, description: '工作日数 How many working days after it', example: 10 })
  @Type(() => Number)
  @IsInt({ message: 'days must be a whole number' })
  @Min(0, { message: 'days must not be negative' })
  @Max(366, { message: 'days must be at most 366' })
  days!: number;
}

const DATE = { type: 'string', format: 'date' };
/** The calendars a computation passed through (HolidayCalendar.basisBetween): each answer names the one it stood on. */
const BASIS_SCHEMA = {
  type: 'object',
  required: ['calendar', 'years'],
  properties: {
    calendar: { type: 'string', example: 'official:2026-shipped', description: '`statutory` if any year had no official notice, else `official:<version>[,<version>…]`' },
    years: { type: 'array', items: { type: 'object', required: ['year', 'basis'], properties: { year: { type: 'integer', example: 2026 }, basis: { type: 'string', example: 'official:2026-shipped' } } } },
  },
};

/** Working-day arithmetic on the PRC holiday calendar (Asia/Shanghai), as every deadline uses it; each answer names the calendar it stood on. */
@ApiTags('calendar')
@ApiBearerAuth()
@Controller('calendar')
export class CalendarController {
  constructor(@Inject(HolidayCalendar) private readonly calendar: HolidayCalendar) {}

  /** Working days in (from, to]: `from` excluded, `to` included. */
  @Get('working-days')
  @ApiOkResponse({
    schema: { type: 'object', required: ['from', 'to', 'workingDays', 'calendar'], properties: { from: DATE, to: DATE, workingDays: { type: 'integer', example: 18 }, calendar: BASIS_SCHEMA } },
  })
  between(@Query() query: WorkingDaysBetweenDto) {
    return this.answer(() => ({ from: query.from, to: query.to, workingDays: this.calendar.workingDaysBetween(query.from, query.to), calendar: this.calendar.basisBetween(query.from, query.to) }));
  }

  /** The n-th working day after a date (the date itself does not count). */
  @Get('working-days/after')
  @ApiOkResponse({
    schema: { type: 'object', required: ['date', 'days', 'result', 'calendar'], properties: { date: DATE, days: { type: 'integer', example: 10 }, result: { ...DATE, example: '2026-09-28', description: 'The n-th working day after the date' }, calendar: BASIS_SCHEMA } },
  })
  after(@Query() query: AddWorkingDaysDto) {
    return this.answer(() => {
      const result = this.calendar.addWorkingDays(query.date, query.days);
      return { date: query.date, days: query.days, result, calendar: this.calendar.basisBetween(query.date, result) };
    });
  }

  private answer<T>(compute: () => T): T {
    try {
      return compute();
    } catch (error) {
      // A date before the statutory calendar without a notice is never guessed.
      if (error instanceof OutsideCalendarError) throw new DomainError('outside-calendar', error.message, 422, { years: error.years });
      if (error instanceof CalendarError) throw new DomainError('invalid-calendar-question', error.message, 422);
      throw error;
    }
  }
}
