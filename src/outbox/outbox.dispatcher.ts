import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { LogRateLimiter, logRepeating } from '../common/log-rate-limit';
import type { ProcessDefinitionId } from '@camunda8/sdk';
import type { EntityManager } from 'typeorm';
import { DibaoRepository } from '../dibao/dibao.repository';
import { TemporaryAidRepository } from '../temporary-aid/temporary-aid.repository';
import { CAMUNDA_CLIENT, CamundaClient } from '../workflow/camunda-client';
import { publishOnce } from '../workflow/engine-calls';
import { type OutboxRow, OutboxRepository } from './outbox.repository';

const NOW = { consistency: { waitUpToMs: 0 } };
/** How often the loop looks for due rows. */
export const DISPATCH_INTERVAL_MS = 1_000;
const BATCH = 20;
/** How long a request waits for its own row before answering without the instance key. */
export const REQUEST_DISPATCH_TIMEOUT_MS = 5_000;
const MESSAGE_TTL_MS = 3_600_000;

/** Writes the instance key back to the row it was started for, through that row's own repository. */
type SubjectWriter = (subjectId: string, processInstanceKey: string, manager: EntityManager) => Promise<void>;

/**
 * Sends the outbox's commands to the engine, never inside a database transaction: claim (committed), call the
 * engine, write the result. A start is idempotent: before creating an instance the dispatcher looks for one of the
 * same process whose `subjectId` is the row's subject (variable search, the same API on Camunda 8.8 and the
 * embedded engine), so a row dispatched twice (a dispatcher that died after the engine answered, a lease that ran
 * out) never starts two instances. Camunda's search is eventually consistent; the claim lease (60 s) is far longer
 * than its export lag, so a re-dispatch always sees the first instance.
 */
@Injectable()
export class OutboxDispatcher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(OutboxDispatcher.name);
  // While the database is away this fails every round: one line per cause per interval.
  private readonly repeats = new LogRateLimiter();
  private readonly writers: Record<string, SubjectWriter>;
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stopped = false;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly outbox: OutboxRepository,
    @Inject(CAMUNDA_CLIENT) private readonly camunda: CamundaClient,
    dibao: DibaoRepository,
    temporaryAid: TemporaryAidRepository,
  ) {
    this.writers = {
      'dibao-case': (id, key, manager) => dibao.setProcessInstanceKey(id, key, manager),
      'temporary-aid': (id, key, manager) => temporaryAid.setProcessInstanceKey(id, key, manager),
    };
  }

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    await Promise.allSettled([...this.inFlight]);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.runOnce()
        .catch((error: unknown) => logRepeating(this.repeats, this.logger, 'warn', 'outbox dispatch round failed', error))
        .finally(() => this.schedule(DISPATCH_INTERVAL_MS));
    }, delayMs);
    this.timer.unref();
  }

  /** One round: claims every due row (in batches) and dispatches it. Returns how many were dispatched. */
  async runOnce(): Promise<number> {
    let done = 0;
    for (;;) {
      if (this.stopped) return done;
      const rows = await this.outbox.claim(BATCH);
      for (const row of rows) if (await this.dispatch(row)) done += 1;
      if (rows.length < BATCH) return done;
    }
  }

  /**
   * The request path: dispatches its own row at once after the commit. Returns the instance key, or null when the
   * engine did not answer in time (the row stays for the loop; the request answers without the key).
   */
  async dispatchNow(id: string, timeoutMs = REQUEST_DISPATCH_TIMEOUT_MS): Promise<string | null> {
    const [row] = await this.outbox.claim(1, id);
    // Another dispatcher holds the row (or did it already): wait for its result as long as we would have waited.
    const work = this.track(row ? this.dispatch(row) : this.resultOf(id, Date.now() + timeoutMs));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), timeoutMs);
    });
    try {
      const key = await Promise.race([work, timeout]);
      return key ?? null;
    } finally {
      clearTimeout(timer);
    }
  }

  private async resultOf(id: string, until: number): Promise<string | null> {
    for (;;) {
      const current = await this.outbox.find(id);
      if (current?.result?.processInstanceKey) return current.result.processInstanceKey;
      if (!current || Date.now() >= until || this.stopped) return null;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Dispatches one claimed row; returns the instance key of a start (or 'published'), or null when it failed. */
  async dispatch(row: OutboxRow): Promise<string | null> {
    try {
      if (row.kind === 'start-process') {
        const existing = await this.existingInstance(row);
        const processInstanceKey = existing ?? (await this.start(row));
        await this.outbox.dataSource.transaction(async (manager) => {
          await this.outbox.dispatched(row.id, { processInstanceKey, ...(existing ? { existing: true } : {}) }, manager);
          const write = this.writers[row.subjectType];
          if (write) await write(row.subjectId, processInstanceKey, manager);
        });
        if (existing) this.logger.log(`outbox row ${row.id} (${row.businessKey}): instance ${existing} was started before, not started again`);
        return processInstanceKey;
      }
      await publishOnce(this.camunda, { name: row.messageName!, correlationKey: row.correlationKey!, messageId: `outbox-${row.id}`, timeToLiveMs: MESSAGE_TTL_MS, variables: row.variables });
      await this.outbox.dataSource.transaction((manager) => this.outbox.dispatched(row.id, { published: true }, manager));
      return 'published';
    } catch (error) {
      const message = (error as Error).message ?? String(error);
      this.logger.warn(`outbox row ${row.id} (${row.businessKey}) not dispatched (attempt ${row.attempts}): ${message}`);
      await this.outbox.failed(row.id, message).catch(() => undefined);
      return null;
    }
  }

  /** A running instance of the row's process started for the row's subject, if the engine has one (an ended one is not reused). */
  async existingInstance(row: Pick<OutboxRow, 'processId' | 'subjectId'>): Promise<string | undefined> {
    const { items } = await this.camunda.searchVariables(
      { filter: { name: 'subjectId', value: JSON.stringify(row.subjectId) }, page: { limit: 100 } } as never,
      NOW,
    );
    const keys = [...new Set((items ?? []).filter((v) => String(v.scopeKey) === String(v.processInstanceKey)).map((v) => String(v.processInstanceKey)))];
    if (keys.length === 0) return undefined;
    const { items: instances } = await this.camunda.searchProcessInstances(
      { filter: { processInstanceKey: { $in: keys }, processDefinitionId: row.processId, state: 'ACTIVE' }, sort: [{ field: 'startDate', order: 'ASC' }], page: { limit: 1 } } as never,
      NOW,
    );
    return instances?.[0] ? String(instances[0].processInstanceKey) : undefined;
  }

  private async start(row: OutboxRow): Promise<string> {
    const started = await this.camunda.createProcessInstance({ processDefinitionId: row.processId as ProcessDefinitionId, variables: row.variables });
    return String(started.processInstanceKey);
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work)).catch(() => undefined);
    return work;
  }
}
