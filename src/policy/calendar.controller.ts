import { Controller, Get, Inject, Query } from '@nestjs/common';
import { IsCalendarDate, IsDateOrdered } from '../common/calendar-date';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { DomainError } from '../common/domain-error';
import { CalendarError, HolidayCalendar, OutsideCalendarError } from './holiday-calendar';

export class WorkingDaysBetweenDto {
  @IsCalendarDate()
  @IsDateOrdered('before', 'to')
  from!: string;

  @IsCalendarDate()
  @IsDateOrdered('after', 'from')
  to!: string;
}

export class AddWorkingDaysDto {
  @IsCalendarDate()
  date!: string;

  @Type(() => Number)
  @IsInt({ message: 'days must be a whole number' })
  @Min(0, { message: 'days must not be negative' })
  @Max(366, { message: 'days must be at most 366' })
  days!: number;
}

/** Working-day arithmetic on the PRC holiday calendar (Asia/Shanghai), as every deadline uses it; each answer names the calendar it stood on. */
@ApiTags('calendar')
@ApiBearerAuth()
@Controller('calendar')
export class CalendarController {
  constructor(@Inject(HolidayCalendar) private readonly calendar: HolidayCalendar) {}

  /** Working days in (from, to]: `from` excluded, `to` included. */
  @Get('working-days')
  @ApiQuery({ name: 'from', example: '2026-02-12' })
  @ApiQuery({ name: 'to', example: '2026-02-27' })
  between(@Query() query: WorkingDaysBetweenDto) {
    return this.answer(() => ({ from: query.from, to: query.to, workingDays: this.calendar.workingDaysBetween(query.from, query.to), calendar: this.calendar.basisBetween(query.from, query.to) }));
  }

  /** The n-th working day after a date (the date itself does not count). */
  @Get('working-days/after')
  @ApiQuery({ name: 'date', example: '2026-02-12' })
  @ApiQuery({ name: 'days', example: 3 })
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
