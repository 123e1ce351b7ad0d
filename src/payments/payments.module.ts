import { Module } from '@nestjs/common';
import { PaymentsController } from './payments.controller';
import { PaymentWorkers } from './payment-workers';
import { PayrollService } from './payroll.service';

@Module({ controllers: [PaymentsController], providers: [PayrollService, PaymentWorkers], exports: [PayrollService] })
export class PaymentsModule {}
