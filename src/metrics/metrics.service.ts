import { Inject, Injectable, Logger } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { LogRateLimiter, logRepeating } from '../common/log-rate-limit';
import { DeadlineQueries } from '../deadlines/deadline-queries';
import { OutboxRepository } from '../outbox/outbox.repository';
import { CAMUNDA_CLIENT, type CamundaClient } from '../workflow/camunda-client';

/** A scrape waits at most this long for the engine's incidents; after that it answers with the last ones read. */
export const INCIDENT_READ_TIMEOUT_MS = 2_000;
/** A read still under way after this long is abandoned and the next scrape asks the engine again. */
export const INCIDENT_READ_ABANDON_MS = 30_000;
/** Incidents counted per read (one search page); a cluster with more shows this many, see doudi_incidents_read_ok. */
const MAX_INCIDENTS = 1000;
type IncidentSearch = Parameters<CamundaClient['searchIncidents']>[0];

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

  private readonly logger = new Logger(Metrics.name);
  private readonly repeats = new LogRateLimiter();
  /**
   * The engine read under way, shared by scrapes that come while it runs (a slow engine gets one call, not one per
   * scrape); one older than INCIDENT_READ_ABANDON_MS is given up, so a call that never returns does not stop the reads.
   */
  private incidentRead?: { promise: Promise<Map<string, number>>; startedAt: number };

  constructor(
    queries: DeadlineQueries,
    outbox: OutboxRepository,
    @Inject(CAMUNDA_CLIENT) private readonly camunda: CamundaClient,
  ) {
    // prom-client collects every metric of a scrape at once: the two incident gauges share one read per scrape.
    const metrics = this;
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

    new Gauge({
      name: 'doudi_oldest_open_deadline_seconds',
      help: 'Age in seconds (business clock) of the oldest open deadline, neither met nor breached, counted from its start; 0 when none is open',
      registers: [this.registry],
      async collect() {
        this.set(await queries.oldestOpenSeconds());
      },
    });

    const backlog: Gauge<'kind'> = new Gauge({
      name: 'doudi_outbox_backlog',
      help: 'Engine commands in the outbox not yet dispatched (pending, failing or claimed), by kind: start-process or publish-message',
      labelNames: ['kind'] as const,
      registers: [this.registry],
      async collect() {
        const rows = await outbox.backlog();
        backlog.reset();
        // Both kinds always present, so an empty outbox reads 0 rather than no series.
        for (const kind of ['start-process', 'publish-message']) backlog.set({ kind }, rows.find((r) => r.kind === kind)?.n ?? 0);
      },
    });

    new Gauge({
      name: 'doudi_incidents_read_ok',
      help: 'Whether this scrape read the engine incidents (1) or kept the previous values because the engine did not answer in time (0)',
      registers: [this.registry],
      collect: async function (this: Gauge) {
        this.set((await metrics.incidentSnapshot()) ? 1 : 0);
      },
    });
    const incidents: Gauge<'error_type' | 'process'> = new Gauge({
      name: 'doudi_incidents_active',
      help: 'Active engine incidents by error type and process definition id, read from the engine at scrape time',
      labelNames: ['error_type', 'process'] as const,
      registers: [this.registry],
      // An engine that is down or slow never fails the scrape: the last values stay, doudi_incidents_read_ok says 0.
      collect: async () => {
        const counts = await this.incidentSnapshot();
        if (!counts) return;
        incidents.reset();
        for (const [key, n] of counts) {
          const [errorType, process] = JSON.parse(key) as [string, string];
          incidents.set({ error_type: errorType, process }, n);
        }
      },
    });
  }

  private incidentsNow?: Promise<Map<string, number> | undefined>;

  /** This scrape's read of the incidents (both incident gauges start their collect in the same tick). */
  private incidentSnapshot(): Promise<Map<string, number> | undefined> {
    this.incidentsNow ??= this.readIncidents().finally(() => {
      this.incidentsNow = undefined;
    });
    return this.incidentsNow;
  }

  /** Active incidents counted by [error type, process], or undefined when the engine did not answer within the timeout. */
  private async readIncidents(): Promise<Map<string, number> | undefined> {
    if (!this.incidentRead || Date.now() - this.incidentRead.startedAt > INCIDENT_READ_ABANDON_MS) this.incidentRead = this.startIncidentRead();
    const read = this.incidentRead.promise;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), INCIDENT_READ_TIMEOUT_MS);
    });
    try {
      return await Promise.race([read, timeout]);
    } catch (error) {
      logRepeating(this.repeats, this.logger, 'warn', 'metrics: engine incidents not read', error);
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  private startIncidentRead(): { promise: Promise<Map<string, number>>; startedAt: number } {
    const read = { startedAt: Date.now(), promise: undefined as unknown as Promise<Map<string, number>> };
    read.promise = (async () => {
      const search = { filter: { state: 'ACTIVE' }, page: { limit: MAX_INCIDENTS } } as IncidentSearch;
      const { items } = await this.camunda.searchIncidents(search, { consistency: { waitUpToMs: 0 } });
      const counts = new Map<string, number>();
      for (const i of items ?? []) {
        const key = JSON.stringify([String(i.errorType ?? 'UNKNOWN'), String(i.processDefinitionId ?? 'unknown')]);
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      return counts;
    })().finally(() => {
      if (this.incidentRead === read) this.incidentRead = undefined;
    });
    // A read abandoned after the timeout may still fail later: nobody waits for it then.
    read.promise.catch(() => undefined);
    return read;
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
