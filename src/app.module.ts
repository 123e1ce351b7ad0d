import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { AssessmentModule } from './assessment/assessment.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { CalendarModule } from './calendar/calendar.module';
import { Clock } from './common/clock';
import { CommonModule } from './common/common.module';
import { LocationInterceptor } from './common/created';
import { IdempotencyInterceptor } from './common/idempotency/idempotency.interceptor';
import { loggerParams } from './common/logging';
import { ProblemDetailsFilter } from './common/problem';
import { RequestValidationPipe } from './common/request-validation';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { dataSourceOptions } from './database/data-source-options';
import { DeadlinesModule } from './deadlines/deadlines.module';
import { DemoModule } from './demo/demo.module';
import { DiagramsModule } from './diagrams/diagrams.module';
import { DibaoModule } from './dibao/dibao.module';
import { TemporaryAidModule } from './temporary-aid/temporary-aid.module';
import { PaymentsModule } from './payments/payments.module';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';
import { OutboxModule } from './outbox/outbox.module';
import { PolicyModule } from './policy/policy.module';
import { KnownRegionsInterceptor } from './regions/known-regions';
import { RegionsModule } from './regions/regions.module';
import { SlaModule } from './sla/sla.module';
import { TasksModule } from './tasks/tasks.module';
import { TrainingModule } from './training/training.module';
import { WorkflowModule } from './workflow/workflow.module';
import { WebModule } from './web/web.module';

export interface AppOptions {
  /** Where log lines go (stdout by default); tests capture them. */
  logDestination?: DestinationStream;
  clock?: Clock;
  /** Extra modules mounted beside ours (tests mount probes of cross-cutting behaviour). */
  extraImports?: DynamicModule['imports'];
}

@Module({})
export class AppModule {
  /** `config.DATABASE_URL` must be resolved (the embedded server started) before this is called. */
  static forRoot(config: AppConfig, options: AppOptions = {}): DynamicModule {
    if (!config.DATABASE_URL) throw new Error('AppModule needs a resolved DATABASE_URL');
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        CommonModule.forRoot(options.clock),
        LoggerModule.forRoot(loggerParams(config, options.logDestination)),
        TypeOrmModule.forRoot({ ...dataSourceOptions(config.DATABASE_URL), autoLoadEntities: true }),
        AuthModule,
        AuditModule,
        RegionsModule,
        WorkflowModule,
        OutboxModule,
        HealthModule,
        MetricsModule,
        PolicyModule,
        AssessmentModule,
        DeadlinesModule,
        CalendarModule,
        DibaoModule,
        TemporaryAidModule,
        PaymentsModule,
        DemoModule,
        SlaModule,
        TasksModule,
        DiagramsModule,
        TrainingModule,
        WebModule,
        ...(options.extraImports ?? []),
      ],
      providers: [
        { provide: APP_PIPE, useFactory: (clock: Clock) => new RequestValidationPipe(clock), inject: [Clock] },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        // Unknown region codes are refused before the idempotency key is taken.
        { provide: APP_INTERCEPTOR, useClass: KnownRegionsInterceptor },
        // Outside the idempotency interceptor, so a replayed 201 carries its Location too.
        { provide: APP_INTERCEPTOR, useClass: LocationInterceptor },
        { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
      ],
    };
  }
}
