import { Module } from '@nestjs/common';
import { PaymentsController } from './payments.controller';
import { PayrollService } from './payroll.service';

@Module({ controllers: [PaymentsController], providers: [PayrollService], exports: [PayrollService] })
export class PaymentsModule {}
