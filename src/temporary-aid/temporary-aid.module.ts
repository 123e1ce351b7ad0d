import { Module } from '@nestjs/common';
import { ReserveFundAlerts } from './reserve-fund-alerts';
import { ReserveFundService } from './reserve-fund.service';
import { ReserveFundController, TemporaryAidController } from './temporary-aid.controller';
import { TemporaryAidRepository } from './temporary-aid.repository';
import { TemporaryAidService } from './temporary-aid.service';
import { TemporaryAidTaskContext } from './temporary-aid-task-context';
import { TemporaryAidWorkers } from './temporary-aid.workers';

@Module({
  controllers: [TemporaryAidController, ReserveFundController],
  providers: [TemporaryAidRepository, TemporaryAidService, ReserveFundService, ReserveFundAlerts, TemporaryAidWorkers, TemporaryAidTaskContext],
  exports: [TemporaryAidService, ReserveFundService, ReserveFundAlerts, TemporaryAidRepository, TemporaryAidTaskContext],
})
export class TemporaryAidModule {}
