import { Module } from '@nestjs/common';
import { DibaoModule } from '../dibao/dibao.module';
import { TasksModule } from '../tasks/tasks.module';
import { TemporaryAidModule } from '../temporary-aid/temporary-aid.module';
import { DemoSeeder } from './demo.seeder';

@Module({ imports: [DibaoModule, TemporaryAidModule, TasksModule], providers: [DemoSeeder] })
export class DemoModule {}
