import { Module } from '@nestjs/common';
import { ReserveFundService } from './reserve-fund.service';
import { ReserveFundController, TemporaryAidController } from './temporary-aid.controller';
import { TemporaryAidRepository } from './temporary-aid.repository';
import { TemporaryAidService } from './temporary-aid.service';
import { TemporaryAidWorkers } from './temporary-aid.workers';

@Module({
  controllers: [TemporaryAidController, ReserveFundController],
  providers: [TemporaryAidRepository, TemporaryAidService, ReserveFundService, TemporaryAidWorkers],
  exports: [TemporaryAidService, ReserveFundService, TemporaryAidRepository],
})
export class TemporaryAidModule {}
