import { Module } from '@nestjs/common';
import { DibaoModule } from '../dibao/dibao.module';
import { TemporaryAidModule } from '../temporary-aid/temporary-aid.module';
import { DeadlineSweeper } from './deadline-sweeper';
import { SlaController } from './sla.controller';
import { SlaService } from './sla.service';

@Module({ imports: [DibaoModule, TemporaryAidModule], controllers: [SlaController], providers: [SlaService, DeadlineSweeper], exports: [DeadlineSweeper] })
export class SlaModule {}
