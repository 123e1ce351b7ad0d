import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { EngineHealthIndicator } from './engine.health';
import { HealthCheckWorker } from './health-check.worker';
import { HealthCheckController } from './health-check.controller';
import { HealthController } from './health.controller';

@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json', logger: false })],
  controllers: [HealthController, HealthCheckController],
  providers: [EngineHealthIndicator, HealthCheckWorker],
})
export class HealthModule {}
