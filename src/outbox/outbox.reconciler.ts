import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { LogRateLimiter, logRepeating } from '../common/log-rate-limit';
import type { EntityManager } from 'typeorm';
import { tryWithAdvisoryLock, withAdvisoryLock } from '../database/advisory-lock';
import { dibaoProcedureVariables, SUBJECT as DIBAO_SUBJECT } from '../dibao/dibao.service';
import { DibaoRepository } from '../dibao/dibao.repository';
import { DIBAO_PROCESS_ID } from '../dibao/dibao-process';
import { TEMPORARY_AID_DEADLINES, TEMPORARY_AID_PROCESS_ID, TEMPORARY_AID_SUBJECT } from '../temporary-aid/temporary-aid-process';
import { temporaryAidStartVariables } from '../temporary-aid/temporary-aid.service';
import { TemporaryAidRepository } from '../temporary-aid/temporary-aid.repository';
import { DeadlinesService } from '../deadlines/deadlines.service';
import { CAMUNDA_CLIENT, CamundaClient } from '../workflow/camunda-client';
import { OutboxRepository } from './outbox.repository';

const NOW = { consistency: { waitUpToMs: 0 } };
/** How often the reconciler runs after the start-up round. */
export const RECONCILE_INTERVAL_MS = 5 * 60_000;
const PAGE = 200;
/**
 * The advisory-lock key ("doudi-rc" in ASCII) a process holds for a whole round: of several replicas one reconciles
 * at a time (a background round finding the lock taken is skipped: another replica is doing that work).
 */
export const RECONCILE_LOCK_KEY = '7237132200329441891';

export interface ReconcileResult {
  retried: number;
  enqueued: string[];
  cancelled: string[];
  orphans: OrphanInstance[];
  /** True when another process held the round's lock and `wait` was false: nothing was done. */
  skipped?: boolean;
}

/** A PostgreSQL unique violation of this index (another process wrote the same row first). */
function isUniqueViolation(error: unknown, index: string): boolean {
  const e = error as { code?: string; constraint?: string; driverError?: { code?: string; constraint?: string } };
  const code = e.code ?? e.driverError?.code;
  const constraint = e.constraint ?? e.driverError?.constraint;
  return code === '23505' && constraint === index;
}

/** An instance whose subject (`subjectId`) has no row in our database. */
export interface OrphanInstance {
  processDefinitionId: string;
  processInstanceKey: string;
  subjectId: string | null;
  regionCode: string | null;
  startDate: string | null;
  /** Only the first user task is open and nothing was completed: safe to cancel (the reconciler does). */
  nothingDone: boolean;
  openTasks: string[];
}

/** The procedures whose instances belong to one row of ours, with the first user task an untouched instance waits in. */
const PROCEDURES = [
  { processId: DIBAO_PROCESS_ID, subjectType: DIBAO_SUBJECT, firstTask: 'Task_accept' },
  { processId: TEMPORARY_AID_PROCESS_ID, subjectType: TEMPORARY_AID_SUBJECT, firstTask: 'Task_reply' },
] as const;

/**
 * Puts the database and the engine back in agreement, at start-up and every few minutes:
 * - failed outbox rows are retried at once;
 * - a case or request with no instance and no start command (e.g. written before the outbox existed) gets one;
 * - an instance whose subject has no row (a ghost: started, then the transaction was lost) is cancelled when
 *   nothing was done in it yet (only its first user task open), and otherwise left alone and listed
 *   (`GET /api/v1/sla/orphans`) for a supervisor to decide.
 * Safe with several replicas: a round holds a session advisory lock (`RECONCILE_LOCK_KEY`, on a connection of its
 * own, no transaction: the round calls the engine), so rounds never overlap; and each write is harmless when another
 * process did it first — a start command another wrote (the unique index `engine_outbox_one_start`) is skipped, a
 * ghost another cancelled (the engine answers 404) is neither counted nor listed.
 */
@Injectable()
export class OutboxReconciler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(OutboxReconciler.name);
  // While the database is away this fails every round: one line per cause per interval.
  private readonly repeats = new LogRateLimiter();
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stopped = false;

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly dibao: DibaoRepository,
    private readonly temporaryAid: TemporaryAidRepository,
    private readonly deadlines: DeadlinesService,
    @Inject(CAMUNDA_CLIENT) private readonly camunda: CamundaClient,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.reconcile({ wait: false })
        .catch((error: unknown) => logRepeating(this.repeats, this.logger, 'warn', 'reconciliation failed', error))
        .finally(() => this.schedule(RECONCILE_INTERVAL_MS));
    }, delayMs);
    this.timer.unref();
  }

  /**
   * One round, under the reconciliation lock: waits for another process's round to end (`wait`, the default), or
   * skips when one is under way (the background loop). The database half runs even when the engine is down; the
   * engine half then fails and waits for the next round.
   */
  async reconcile(options: { wait?: boolean } = {}): Promise<ReconcileResult> {
    if (options.wait !== false) return withAdvisoryLock(this.outbox.dataSource, RECONCILE_LOCK_KEY, () => this.round());
    const outcome = await tryWithAdvisoryLock(this.outbox.dataSource, RECONCILE_LOCK_KEY, () => this.round());
    if (outcome.ran) return outcome.value;
    this.logger.debug('another process is reconciling: this round is skipped');
    return { retried: 0, enqueued: [], cancelled: [], orphans: [], skipped: true };
  }

  private async round(): Promise<ReconcileResult> {
    const retried = await this.outbox.retryFailedNow();
    const enqueued = await this.enqueueMissingStarts();
    const found = await this.orphans();
    const cancelled: string[] = [];
    const orphans: OrphanInstance[] = [];
    for (const orphan of found) {
      if (!orphan.nothingDone) {
        orphans.push(orphan);
        continue;
      }
      try {
        await this.camunda.cancelProcessInstance({ processInstanceKey: orphan.processInstanceKey as never });
        cancelled.push(orphan.processInstanceKey);
        this.logger.warn(`cancelled ghost instance ${orphan.processInstanceKey} of ${orphan.processDefinitionId}: subject ${orphan.subjectId} has no row and nothing was done`);
      } catch (error) {
        // No longer active: another replica cancelled it (Camunda's search may still show it a moment), or it ended.
        if ((error as { status?: unknown }).status === 404) {
          this.logger.log(`ghost instance ${orphan.processInstanceKey} is no longer active (cancelled by another process or ended): nothing to do`);
          continue;
        }
        orphans.push(orphan);
        this.logger.warn(`ghost instance ${orphan.processInstanceKey} not cancelled: ${(error as Error).message}`);
      }
    }
    if (orphans.length) this.logger.warn(`${orphans.length} instance(s) without a subject row and with work done: listed at GET /api/v1/sla/orphans`);
    return { retried, enqueued, cancelled, orphans };
  }

  /** Subjects with neither an instance nor a start command get one (their variables rebuilt from their rows). */
  async enqueueMissingStarts(): Promise<string[]> {
    const enqueued: string[] = [];
    const cases = await this.dibao.withoutProcessInstance();
    const withStart = await this.outbox.subjectsWithStart(DIBAO_SUBJECT, cases.map((c) => c.id));
    for (const c of cases.filter((x) => !withStart.has(x.id))) {
      const dueAt = await this.deadlineDue(DIBAO_SUBJECT, c.id, 'dibao.acceptance');
      if (!dueAt) continue;
      const businessKey = `${DIBAO_SUBJECT}:${c.id}`;
      const written = await this.enqueueStartOnce(businessKey, (manager) =>
        this.outbox.enqueueStart({ processId: DIBAO_PROCESS_ID, businessKey, subjectType: DIBAO_SUBJECT, subjectId: c.id, variables: { ...dibaoProcedureVariables(c, dueAt) } }, manager),
      );
      if (written) enqueued.push(businessKey);
    }
    const requests = await this.temporaryAid.withoutProcessInstance();
    const aidWithStart = await this.outbox.subjectsWithStart(TEMPORARY_AID_SUBJECT, requests.map((r) => r.id));
    for (const r of requests.filter((x) => !aidWithStart.has(x.id))) {
      const dueAt = await this.deadlineDue(TEMPORARY_AID_SUBJECT, r.id, TEMPORARY_AID_DEADLINES.reply);
      if (!dueAt) continue;
      const businessKey = `${TEMPORARY_AID_SUBJECT}:${r.id}`;
      const written = await this.enqueueStartOnce(businessKey, (manager) =>
        this.outbox.enqueueStart(
          { processId: TEMPORARY_AID_PROCESS_ID, businessKey, subjectType: TEMPORARY_AID_SUBJECT, subjectId: r.id, variables: { ...temporaryAidStartVariables(r, dueAt) } },
          manager,
        ),
      );
      if (written) enqueued.push(businessKey);
    }
    if (enqueued.length) this.logger.warn(`start commands written for ${enqueued.length} subject(s) without an instance: ${enqueued.join(', ')}`);
    return enqueued;
  }

  /**
   * Writes one start command; false when another process wrote the start for this business key first (the unique
   * index `engine_outbox_one_start` refused this one): a harmless skip, that command stands.
   */
  private async enqueueStartOnce(businessKey: string, write: (manager: EntityManager) => Promise<unknown>): Promise<boolean> {
    try {
      await this.outbox.dataSource.transaction(write);
      return true;
    } catch (error) {
      if (!isUniqueViolation(error, 'engine_outbox_one_start')) throw error;
      this.logger.log(`a start command for ${businessKey} was written by another process meanwhile: not written again`);
      return false;
    }
  }

  /** Active instances of our procedures whose `subjectId` has no row. Read-only. */
  async orphans(): Promise<OrphanInstance[]> {
    const result: OrphanInstance[] = [];
    for (const procedure of PROCEDURES) {
      const instances: { processInstanceKey: string; startDate: string | null }[] = [];
      for (let from = 0; ; from += PAGE) {
        const { items } = await this.camunda.searchProcessInstances({ filter: { processDefinitionId: procedure.processId, state: 'ACTIVE' }, page: { from, limit: PAGE } } as never, NOW);
        instances.push(...(items ?? []).map((i) => ({ processInstanceKey: String(i.processInstanceKey), startDate: (i.startDate as string | undefined) ?? null })));
        if ((items ?? []).length < PAGE) break;
      }
      const known = await this.knownInstanceKeys(procedure.subjectType, instances.map((i) => i.processInstanceKey));
      const unknown = instances.filter((i) => !known.has(i.processInstanceKey));
      if (unknown.length === 0) continue;
      const variables = await this.rootVariables(unknown.map((i) => i.processInstanceKey), ['subjectId', 'regionCode']);
      const subjectIds = [...variables.values()].map((v) => v.subjectId).filter((id): id is string => typeof id === 'string');
      const existing = procedure.subjectType === DIBAO_SUBJECT ? await this.dibao.existingIds(subjectIds) : await this.temporaryAid.existingIds(subjectIds);
      for (const instance of unknown) {
        const v = variables.get(instance.processInstanceKey) ?? {};
        const subjectId = typeof v.subjectId === 'string' ? v.subjectId : null;
        // A subject with a row: its write-back is pending, or it was re-opened into a new instance. Not a ghost.
        if (subjectId && existing.has(subjectId)) continue;
        const { items: tasks } = await this.camunda.searchUserTasks({ filter: { processInstanceKey: instance.processInstanceKey }, page: { limit: 100 } } as never, NOW);
        const open = (tasks ?? []).filter((t) => t.state === 'CREATED').map((t) => String(t.elementId));
        const completed = (tasks ?? []).some((t) => t.state === 'COMPLETED');
        result.push({
          processDefinitionId: procedure.processId,
          processInstanceKey: instance.processInstanceKey,
          subjectId,
          regionCode: typeof v.regionCode === 'string' ? v.regionCode : null,
          startDate: instance.startDate,
          nothingDone: !completed && open.length > 0 && open.every((e) => e === procedure.firstTask),
          openTasks: open,
        });
      }
    }
    return result;
  }

  /** Of these instance keys, those a row of ours points at. */
  private knownInstanceKeys(subjectType: string, keys: string[]): Promise<Set<string>> {
    return subjectType === DIBAO_SUBJECT ? this.dibao.knownInstanceKeys(keys) : this.temporaryAid.knownInstanceKeys(keys);
  }

  private async rootVariables(keys: string[], names: string[]): Promise<Map<string, Record<string, unknown>>> {
    const byInstance = new Map<string, Record<string, unknown>>();
    for (let i = 0; i < keys.length; i += PAGE) {
      const chunk = keys.slice(i, i + PAGE);
      const { items } = await this.camunda.searchVariables(
        { filter: { processInstanceKey: { $in: chunk }, scopeKey: { $in: chunk }, name: { $in: names } }, page: { limit: chunk.length * names.length }, truncateValues: false } as never,
        NOW,
      );
      for (const v of items ?? []) {
        const key = String(v.processInstanceKey);
        const values = byInstance.get(key) ?? {};
        try {
          values[String(v.name)] = JSON.parse(String(v.value));
        } catch {
          values[String(v.name)] = v.value;
        }
        byInstance.set(key, values);
      }
    }
    return byInstance;
  }

  private async deadlineDue(subjectType: string, subjectId: string, type: string): Promise<Date | undefined> {
    const rows = (await this.deadlines.forSubject(subjectType, subjectId)).filter((d) => d.type === type);
    return rows.at(-1)?.dueAt;
  }
}
