import { Global, Module } from '@nestjs/common';
import { DeadlineQueries } from './deadline-queries';
import { DeadlinesService } from './deadlines.service';

@Global()
@Module({ providers: [DeadlinesService, DeadlineQueries], exports: [DeadlinesService, DeadlineQueries] })
export class DeadlinesModule {}
