import { Global, Module } from '@nestjs/common';
import { CalendarController } from './calendar.controller';
import { HolidayCalendar, loadHolidayCalendar } from './holiday-calendar';
import { PolicyController } from './policy.controller';
import { PolicyProfiles } from './policy-profiles';

/** Profiles and the holiday calendar are loaded and validated when the module is built: bad data stops start-up, named. */
@Global()
@Module({
  controllers: [PolicyController, CalendarController],
  providers: [
    { provide: PolicyProfiles, useFactory: () => PolicyProfiles.load() },
    { provide: HolidayCalendar, useFactory: () => loadHolidayCalendar() },
  ],
  exports: [PolicyProfiles, HolidayCalendar],
})
export class PolicyModule {}
