import { Global, Module } from '@nestjs/common';
import { CalendarNotices } from './calendar-notices.service';
import { CalendarYearsController } from './calendar-years.controller';
import { HolidayNoticeRepository } from './holiday-notice.repository';

/** Official holiday notices loaded at run time (`holiday_notice`), applied to the shared HolidayCalendar. */
@Global()
@Module({
  controllers: [CalendarYearsController],
  providers: [HolidayNoticeRepository, CalendarNotices],
  exports: [CalendarNotices],
})
export class CalendarModule {}
