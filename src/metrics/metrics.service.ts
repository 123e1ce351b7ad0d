import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DeadlineQueries } from '../deadlines/deadline-queries';

/**
 * The service's Prometheus metrics, in a registry of this app instance's own (not prom-client's global one:
 * tests run several apps in one process, and each must count only its own requests and jobs).
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'doudi_http_request_duration_seconds',
    help: 'HTTP requests by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  readonly jobDuration = new Histogram({
    name: 'doudi_job_handler_duration_seconds',
    help: 'Job handler run time by job type',
    labelNames: ['job_type'] as const,
    registers: [this.registry],
  });

  readonly jobFailures = new Counter({
    name: 'doudi_job_handler_failures_total',
    help: 'Job handler runs that threw, by job type',
    labelNames: ['job_type'] as const,
    registers: [this.registry],
  });

  constructor(queries: DeadlineQueries) {
    // Read from the deadline table at each scrape, so it is right whichever instance wrote the rows.
    const deadlines: Gauge<'type' | 'region' | 'status'> = new Gauge({
      name: 'doudi_deadlines',
      help: 'Statutory deadlines by type, county (first 6 digits of the region code) and status: open (neither met nor breached) or breached',
      labelNames: ['type', 'region', 'status'] as const,
      registers: [this.registry],
      async collect() {
        const rows = await queries.gauge();
        deadlines.reset();
        for (const row of rows) deadlines.set({ type: row.type, region: row.region, status: row.status }, row.n);
      },
    });
  }

  /** Times one job handler run; a throw counts as a failure and is rethrown. */
  async timeJob<T>(jobType: string, run: () => Promise<T>): Promise<T> {
    const end = this.jobDuration.startTimer({ job_type: jobType });
    try {
      return await run();
    } catch (error) {
      this.jobFailures.inc({ job_type: jobType });
      throw error;
    } finally {
      end();
    }
  }
}
