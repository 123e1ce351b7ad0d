import { Module } from '@nestjs/common';
import { TasksController } from './tasks.controller';
import { TaskCompletions } from './task-completions';
import { TasksService } from './tasks.service';

@Module({
  controllers: [TasksController],
  providers: [TasksService, TaskCompletions],
})
export class TasksModule {}
