import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { JobWorker } from '../workflow/job-worker.decorator';

/** Worker of bpmn/health-check.bpmn: proves a round trip engine → worker → engine. */
@Injectable()
export class HealthCheckWorker {
  constructor(private readonly clock: Clock) {}

  @JobWorker({ type: 'doudi.health.ping', timeoutMs: 10_000 })
  async ping(): Promise<{ pongAt: string }> {
    return { pongAt: this.clock.now().toISOString() };
  }
}
