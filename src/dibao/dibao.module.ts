import { Module } from '@nestjs/common';
import { SamplingModule } from '../sampling/sampling.module';
import { DibaoController } from './dibao.controller';
import { DibaoRepository } from './dibao.repository';
import { DibaoService } from './dibao.service';
import { DibaoCorrectionWorkers } from './dibao-correction.workers';
import { DibaoRecalculationWorkers } from './dibao-recalculation.workers';
import { DibaoReviewService } from './dibao-review.service';
import { DibaoTaskContext } from './dibao-task-context';
import { DibaoWorkers } from './dibao.workers';

@Module({
  imports: [SamplingModule],
  controllers: [DibaoController],
  providers: [DibaoRepository, DibaoService, DibaoReviewService, DibaoWorkers, DibaoCorrectionWorkers, DibaoRecalculationWorkers, DibaoTaskContext],
  exports: [DibaoService, DibaoRepository, DibaoTaskContext],
})
export class DibaoModule {}
