import { Module } from '@nestjs/common';
import { DibaoModule } from '../dibao/dibao.module';
import { DemoSeeder } from './demo.seeder';

@Module({ imports: [DibaoModule], providers: [DemoSeeder] })
export class DemoModule {}
