import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { LogRateLimiter, logRepeating } from '../common/log-rate-limit';
import { InjectDataSource } from '@nestjs/typeorm';
import type { UserTaskKey } from '@camunda8/orchestration-cluster-api';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { CAMUNDA_CLIENT, type CamundaClient } from '../workflow/camunda-client';
import type { EarlierCompletion } from './separation-of-duties';

export interface CompletionIntent {
  userTaskKey: string;
  auditEventId: string;
  actorId: string;
  regionCode: string;
  subjectType: string;
  subjectId: string;
  processDefinitionId: string;
  elementId: string;
}

/** A pending completion older than this is settled from the engine's task state (the request died in between). */
const GRACE_MS = 120_000;
const RECONCILE_MS = 60_000;

/**
 * The one writer of `task_completion`: the intent of a completion through the task API, committed with its audit
 * row before the engine is called, so a crash can never leave a completion without its audit row. A completion the
 * engine refused, or that never reached it, is settled with an audit row saying so (the trail is append-only).
 */
@Injectable()
export class TaskCompletions implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(TaskCompletions.name);
  // While the database is away this fails every round: one line per cause per interval.
  private readonly repeats = new LogRateLimiter();
  private timer?: NodeJS.Timeout;
  private running: Promise<void> = Promise.resolve();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(CAMUNDA_CLIENT) private readonly camunda: CamundaClient,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    const run = () => {
      this.running = this.running.then(() => this.reconcile()).then(
        () => undefined,
        (error: unknown) => logRepeating(this.repeats, this.logger, 'error', 'task completion reconciliation failed', error),
      );
    };
    run();
    this.timer = setInterval(run, RECONCILE_MS);
    this.timer.unref();
  }

  /** Waits for a reconciliation under way, so it never runs against a closed pool. */
  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  async begin(intent: CompletionIntent, manager: EntityManager): Promise<string> {
    const [row] = await manager.query(
      `INSERT INTO task_completion (user_task_key, audit_event_id, actor_id, region_code, subject_type, subject_id, process_definition_id, element_id, requested_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
      [intent.userTaskKey, intent.auditEventId, intent.actorId, intent.regionCode, intent.subjectType, intent.subjectId, intent.processDefinitionId, intent.elementId, this.clock.now()],
    );
    return String(row.id);
  }

  /** Whether a completion of the task is recorded and not yet settled: the task API's, or one a task listener accepted. */
  async pendingFor(userTaskKey: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(`SELECT 1 FROM task_completion WHERE user_task_key = $1 AND settled_at IS NULL LIMIT 1`, [userTaskKey]);
    return rows.length > 0;
  }

  /**
   * The steps of a case completed through the task API, by whom: those completed and those still pending (a pending
   * one may have reached the engine); not those the engine refused or that were abandoned.
   */
  async earlierOf(subjectType: string, subjectId: string): Promise<EarlierCompletion[]> {
    const rows: { process_definition_id: string | null; element_id: string | null; actor_id: string; audit_event_id: string }[] = await this.dataSource.query(
      `SELECT process_definition_id, element_id, actor_id, audit_event_id::text FROM task_completion
       WHERE subject_type = $1 AND subject_id = $2 AND (outcome IS NULL OR outcome = 'completed') ORDER BY id`,
      [subjectType, subjectId],
    );
    return rows.map((r) => ({ processDefinitionId: r.process_definition_id ?? '', elementId: r.element_id ?? '', actorId: r.actor_id, auditEventId: r.audit_event_id }));
  }

  /** The audit rows (`task.completed`, with the values) of the case's steps the engine took, in order. */
  async completedAuditIds(subjectType: string, subjectId: string): Promise<string[]> {
    const rows: { audit_event_id: string }[] = await this.dataSource.query(
      `SELECT audit_event_id::text FROM task_completion WHERE subject_type = $1 AND subject_id = $2 AND outcome = 'completed' ORDER BY id`,
      [subjectType, subjectId],
    );
    return rows.map((r) => r.audit_event_id);
  }

  async completed(id: string): Promise<void> {
    await this.settle(id, 'completed');
  }

  /** The engine refused or could not take it: recorded beside the intent's audit row. */
  async failed(id: string, reason: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const intent = await this.settle(id, 'failed', manager);
      if (intent) await this.recordUndone(intent, 'task.completion-failed', { reason }, manager);
    });
  }

  /**
   * Settles intents a request left pending (a crash between the commit and the engine's answer) from the engine's
   * task state: completed there, the audit row stands; still open or gone, a `task.completion-abandoned` row says
   * the completion did not happen. Returns how many it settled.
   *
   * A task is completed once, so only one intent of it may stand as completed. A request cut before it reached the
   * engine is sent again by its client: the retry writes an intent (and audit row) of its own and completes the task,
   * and the first intent then finds the task COMPLETED too. It is superseded (abandoned, naming the intent that
   * stands) when another intent of the task stands as completed, or when a later attempt is pending as well: the
   * later one is the one that passed the open-task check after this one, so it is the one the engine took — while
   * that later attempt is still within its grace (its request may be on its way), the decision waits for it.
   */
  async reconcile(): Promise<number> {
    const cutoff = new Date(this.clock.now().getTime() - GRACE_MS);
    const pending: { id: string; user_task_key: string }[] = await this.dataSource.query(
      `SELECT id::text, user_task_key FROM task_completion WHERE settled_at IS NULL AND requested_at < $1 ORDER BY id LIMIT 200`,
      [cutoff],
    );
    let settledCount = 0;
    for (const intent of pending) {
      const state = await this.camunda
        .getUserTask({ userTaskKey: intent.user_task_key as UserTaskKey }, { consistency: { waitUpToMs: 0 } })
        .then((task) => String(task.state))
        .catch((error: { status?: number }) => (error.status === 404 ? 'NOT_FOUND' : Promise.reject(error)));
      if (state === 'COMPLETED') {
        const standing = await this.standingInstead(intent, cutoff);
        if (standing === 'wait') continue;
        if (standing === undefined) await this.settle(intent.id, 'completed');
        else {
          await this.dataSource.transaction(async (manager) => {
            const settled = await this.settle(intent.id, 'abandoned', manager);
            if (settled) await this.recordUndone(settled, 'task.completion-abandoned', { engineState: state, supersededBy: standing.id, supersededByAuditEventId: standing.auditEventId }, manager);
          });
        }
      } else {
        await this.dataSource.transaction(async (manager) => {
          const settled = await this.settle(intent.id, 'abandoned', manager);
          if (settled) await this.recordUndone(settled, 'task.completion-abandoned', { engineState: state }, manager);
        });
      }
      settledCount += 1;
    }
    if (settledCount) this.logger.warn({ settled: settledCount }, 'task completions left pending by an interrupted request were settled');
    return settledCount;
  }

  /**
   * For a pending intent of a task the engine shows COMPLETED: the other intent of the same task that stands for the
   * completion instead (one settled as completed, else the latest pending one), `'wait'` when that latest one is
   * still within its grace, or undefined when this intent is the one.
   */
  private async standingInstead(intent: { id: string; user_task_key: string }, cutoff: Date): Promise<{ id: string; auditEventId: string } | 'wait' | undefined> {
    const others: { id: string; audit_event_id: string; outcome: string | null; requested_at: Date }[] = await this.dataSource.query(
      `SELECT id::text, audit_event_id::text, outcome, requested_at FROM task_completion
       WHERE user_task_key = $1 AND id <> $2 AND (outcome = 'completed' OR settled_at IS NULL AND id > $2) ORDER BY id`,
      [intent.user_task_key, intent.id],
    );
    const completed = others.find((o) => o.outcome === 'completed');
    if (completed) return { id: completed.id, auditEventId: completed.audit_event_id };
    const latest = others.at(-1);
    if (!latest) return undefined;
    if (new Date(latest.requested_at) >= cutoff) return 'wait';
    return { id: latest.id, auditEventId: latest.audit_event_id };
  }

  private async settle(id: string, outcome: 'completed' | 'failed' | 'abandoned', manager: EntityManager = this.dataSource.manager) {
    const [rows] = (await manager.query(
      `UPDATE task_completion SET outcome = $2, settled_at = $3 WHERE id = $1 AND settled_at IS NULL
       RETURNING user_task_key, audit_event_id::text, actor_id, region_code, subject_type, subject_id`,
      [id, outcome, this.clock.now()],
    )) as [Record<string, string>[], number];
    return rows[0];
  }

  private async recordUndone(intent: Record<string, string>, action: string, details: Record<string, unknown>, manager: EntityManager): Promise<void> {
    await this.audit.record(
      {
        actor: { id: intent.actor_id! },
        regionCode: intent.region_code!,
        action,
        subjectType: intent.subject_type!,
        subjectId: intent.subject_id!,
        details: { userTaskKey: intent.user_task_key, completionAuditEventId: intent.audit_event_id, ...details },
      },
      manager,
    );
  }
}
