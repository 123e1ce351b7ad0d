import { Module } from '@nestjs/common';
import { DeathRecordsService } from './death-records.service';
import { DeathRecordsController, PaymentsController } from './payments.controller';
import { PaymentWorkers } from './payment-workers';
import { PayrollService } from './payroll.service';

@Module({ controllers: [PaymentsController, DeathRecordsController], providers: [PayrollService, PaymentWorkers, DeathRecordsService], exports: [PayrollService] })
export class PaymentsModule {}
