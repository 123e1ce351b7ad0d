import { Module } from '@nestjs/common';
import { DeathRecordsService } from './death-records.service';
import { DibaoModule } from '../dibao/dibao.module';
import { TemporaryAidModule } from '../temporary-aid/temporary-aid.module';
import { DeathRecordsController, PaymentHistoryController, PaymentsController } from './payments.controller';
import { LineFollowUps } from './line-follow-ups';
import { ManualCycles } from './manual-cycles';
import { PaymentTaskContext } from './payment-task-context';
import { PaymentWorkers } from './payment-workers';
import { PayrollService } from './payroll.service';

@Module({ imports: [DibaoModule, TemporaryAidModule], controllers: [PaymentsController, DeathRecordsController, PaymentHistoryController], providers: [PayrollService, PaymentWorkers, ManualCycles, DeathRecordsService, LineFollowUps, PaymentTaskContext], exports: [PayrollService, PaymentTaskContext] })
export class PaymentsModule {}
