import { Module } from '@nestjs/common';
import { DibaoModule } from '../dibao/dibao.module';
import { PaymentsModule } from '../payments/payments.module';
import { TemporaryAidModule } from '../temporary-aid/temporary-aid.module';
import { TasksController } from './tasks.controller';
import { TaskCompletions } from './task-completions';
import { TaskContexts } from './task-context';
import { TaskIndex } from './task-index';
import { TaskListeners } from './task-listeners';
import { TasksService } from './tasks.service';

@Module({
  imports: [DibaoModule, TemporaryAidModule, PaymentsModule],
  controllers: [TasksController],
  providers: [TasksService, TaskCompletions, TaskContexts, TaskIndex, TaskListeners],
  // The demo seeder completes its cases' first steps through the task API.
  exports: [TasksService],
})
export class TasksModule {}
