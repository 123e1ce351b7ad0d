import { Module } from '@nestjs/common';
import { DeadlineSweeper } from './deadline-sweeper';
import { SlaController } from './sla.controller';
import { SlaService } from './sla.service';

@Module({ controllers: [SlaController], providers: [SlaService, DeadlineSweeper], exports: [DeadlineSweeper] })
export class SlaModule {}
