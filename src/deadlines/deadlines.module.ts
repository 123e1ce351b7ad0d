import { Global, Module } from '@nestjs/common';
import { DeadlinesService } from './deadlines.service';

@Global()
@Module({ providers: [DeadlinesService], exports: [DeadlinesService] })
export class DeadlinesModule {}
