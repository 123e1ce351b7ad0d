import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Principal } from '../auth/principal';
import { Clock } from '../common/clock';
import type { DomainError } from '../common/domain-error';
import { LogRateLimiter, logRepeating } from '../common/log-rate-limit';
import { BATCH_SUBJECT } from '../sampling/sampling.service';
import { CAMUNDA_CLIENT, type CamundaClient } from '../workflow/camunda-client';
import { engineCall, NOW } from './engine-call';
import { TaskContexts } from './task-context';
import { taskListWhere, type TaskListFilter } from './task-list-query';
import { type CaseScope, parseJson, SCOPE_VARIABLES, scopesFrom } from './task-scope';

type UserTask = Awaited<ReturnType<CamundaClient['getUserTask']>>;
type TaskSearch = Parameters<CamundaClient['searchUserTasks']>[0];
type VariableSearch = Parameters<CamundaClient['searchVariables']>[0];

/** One row of `task_index`, as the list reads it. */
export interface IndexedTask {
  userTaskKey: string;
  processInstanceKey: string;
  elementInstanceKey: string;
  processDefinitionId: string;
  elementId: string;
  name: string | null;
  state: string;
  candidateGroups: string[];
  assignee: string | null;
  formKey: string | null;
  priority: number | null;
  regionCode: string;
  subjectType: string | null;
  subjectId: string | null;
  reviewedCaseId: string | null;
  caseNumber: string | null;
  applicantName: string | null;
  createdAt: Date;
  dueAt: Date | null;
  followUpAt: Date | null;
}

const PAGE_SIZE = 200;
/**
 * Each pass reads again what the engine created or ended in the last OVERLAP_MS before the previous one's newest:
 * a real cluster's search side shows a task a moment after its creation date.
 */
const OVERLAP_MS = 10_000;
/** A full pass (every open task of the engine) catches what the passes by date cannot see: claims made elsewhere. */
const RECONCILE_MS = 5 * 60_000;
const ENDED = ['COMPLETED', 'CANCELED', 'FAILED'];

/**
 * The one writer of `task_index`: the engine's user tasks with what a task list filters, searches and orders by —
 * region, candidate groups, assignee, due instant, and the family (case number, applicant's name) — so that a list is
 * one indexed query however many tasks are open (issue 19). Kept from the engine through its REST API only, so it
 * works the same on the embedded engine and a Camunda 8.8 cluster: by creation and completion date before each list
 * (`catchUp`), written through by our own claims and completions, and reconciled in full every few minutes. The
 * engine stays the authority for a single task: reading, claiming or completing one always asks it.
 */
@Injectable()
export class TaskIndex implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(TaskIndex.name);
  private readonly repeats = new LogRateLimiter();
  private marks?: { created: Date | null; ended: Date | null };
  private running: Promise<void> | null = null;
  private queued: Promise<void> | null = null;
  private reconciling: Promise<void> = Promise.resolve();
  private timer?: NodeJS.Timeout;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(CAMUNDA_CLIENT) private readonly client: CamundaClient,
    private readonly contexts: TaskContexts,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    const run = () => {
      this.reconciling = this.reconciling.then(() => this.reconcile()).then(
        () => undefined,
        (error: unknown) => logRepeating(this.repeats, this.logger, 'warn', 'task index reconciliation failed', error),
      );
    };
    run();
    this.timer = setInterval(run, RECONCILE_MS);
    this.timer.unref();
  }

  /** Resolves once the reconciliation under way (the one at start-up, say) is done. */
  reconciled(): Promise<void> {
    return this.reconciling;
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await Promise.allSettled([this.reconciling, this.running, this.queued]);
  }

  /**
   * Brings the index up to what the engine has created and ended since the last pass. Callers arriving while a pass
   * runs share the one queued behind it, which starts after their call: what they did before asking is in it.
   */
  catchUp(): Promise<void> {
    if (this.queued) return this.queued;
    if (!this.running) {
      this.running = this.pass().finally(() => (this.running = null));
      return this.running;
    }
    this.queued = this.running
      .catch(() => undefined)
      .then(() => {
        this.queued = null;
        return this.catchUp();
      });
    return this.queued;
  }

  /** Every open task of the engine, and every task the index holds open that the engine no longer does. */
  async reconcile(): Promise<void> {
    const seen = new Set<string>();
    await this.searchAll({ state: 'CREATED' }, 'creationDate', async (tasks) => {
      for (const task of tasks) seen.add(String(task.userTaskKey));
      await this.absorb(tasks);
    });
    const open: { user_task_key: string }[] = await this.dataSource.query(`SELECT user_task_key FROM task_index WHERE state = 'CREATED'`);
    const missing = open.map((row) => row.user_task_key).filter((key) => !seen.has(key));
    // Camunda's search filters a user task by one key only: each is asked for (few: tasks the passes by date missed).
    const gone: string[] = [];
    for (const key of missing) {
      try {
        await this.absorb([await engineCall(() => this.client.getUserTask({ userTaskKey: key as UserTask['userTaskKey'] }, NOW), key)]);
      } catch (error) {
        if ((error as DomainError).code !== 'task-not-found') throw error;
        gone.push(key);
      }
    }
    // Gone from the engine altogether (its instance was deleted): no longer anyone's work.
    if (gone.length > 0) await this.dataSource.query(`UPDATE task_index SET state = 'CANCELED', ended_at = $2, indexed_at = now() WHERE user_task_key = ANY($1) AND state = 'CREATED'`, [gone, this.clock.now()]);
  }

  /** Our own claim or unclaim, written through so the next list shows it whatever the engine's search side lags. */
  async assigned(userTaskKey: string, assignee: string | null): Promise<void> {
    await this.dataSource.query(`UPDATE task_index SET assignee = $2, indexed_at = now() WHERE user_task_key = $1 AND state = 'CREATED'`, [userTaskKey, assignee]);
  }

  /** Our own completion, written through. */
  async completed(userTaskKey: string): Promise<void> {
    await this.dataSource.query(`UPDATE task_index SET state = 'COMPLETED', ended_at = $2, indexed_at = now() WHERE user_task_key = $1 AND state = 'CREATED'`, [userTaskKey, this.clock.now()]);
  }

  /** One page of the caller's tasks, oldest first, and how many there are in all. */
  async page(filter: TaskListFilter, principal: Principal): Promise<{ rows: IndexedTask[]; total: number }> {
    const { where, params } = taskListWhere(filter, principal, this.clock.now());
    const [rows, [count]] = await Promise.all([
      this.dataSource.query(`SELECT * FROM task_index WHERE ${where} ORDER BY created_at, user_task_key LIMIT ${filter.limit} OFFSET ${filter.offset}`, params),
      this.dataSource.query(`SELECT count(*)::int AS total FROM task_index WHERE ${where}`, params),
    ]);
    return { rows: (rows as Row[]).map(fromRow), total: (count as { total: number }).total };
  }

  /** The scoping variables of these instances, in one search. */
  async scopesOf(processInstanceKeys: string[]): Promise<Map<string, CaseScope>> {
    const keys = [...new Set(processInstanceKeys)];
    if (keys.length === 0) return new Map();
    const search = {
      filter: { processInstanceKey: { $in: keys }, scopeKey: { $in: keys }, name: { $in: [...SCOPE_VARIABLES] } },
      page: { limit: keys.length * SCOPE_VARIABLES.length },
      truncateValues: false,
    } as VariableSearch;
    const { items } = await engineCall(() => this.client.searchVariables(search, NOW));
    return scopesFrom(items);
  }

  /**
   * For each county review of a sampled case among these tasks, the case it reviews: the task's own
   * `reviewedCaseId` (bpmn/county-sampling-batch.bpmn), by element instance key, in one search.
   */
  async reviewedCasesOf(tasks: { processInstanceKey: string; elementInstanceKey: string; subjectType: string | null }[]): Promise<Map<string, string>> {
    const reviews = tasks.filter((task) => task.subjectType === BATCH_SUBJECT);
    const found = new Map<string, string>();
    if (reviews.length === 0) return found;
    const search = {
      filter: { processInstanceKey: { $in: [...new Set(reviews.map((t) => t.processInstanceKey))] }, scopeKey: { $in: reviews.map((t) => t.elementInstanceKey) }, name: 'reviewedCaseId' },
      page: { limit: reviews.length },
    } as VariableSearch;
    const { items } = await engineCall(() => this.client.searchVariables(search, NOW));
    for (const variable of items) {
      const value = parseJson(variable.value);
      if (typeof value === 'string') found.set(String(variable.scopeKey), value);
    }
    return found;
  }

  /** What the engine created and ended since the last pass (less the overlap), page by page. */
  private async pass(): Promise<void> {
    this.marks ??= await this.initialMarks();
    const marks = this.marks;
    const since = (mark: Date | null) => new Date(Math.min(mark?.getTime() ?? 0, this.clock.now().getTime()) - OVERLAP_MS).toISOString();
    let created = marks.created;
    let ended = marks.ended;
    await this.searchAll({ creationDate: { $gte: since(marks.created) } }, 'creationDate', async (tasks) => {
      await this.absorb(tasks);
      created = latest(created, tasks.map((task) => task.creationDate));
    });
    await this.searchAll({ completionDate: { $gte: since(marks.ended) } }, 'completionDate', async (tasks) => {
      await this.absorb(tasks);
      ended = latest(ended, tasks.map((task) => task.completionDate));
    });
    this.marks = { created, ended };
  }

  private async initialMarks(): Promise<{ created: Date | null; ended: Date | null }> {
    const [row] = await this.dataSource.query(`SELECT max(created_at) AS created, max(ended_at) AS ended FROM task_index`);
    return { created: row?.created ?? null, ended: row?.ended ?? null };
  }

  /** Searches one filter page by page, oldest first by `field`, handing each page on. */
  private async searchAll(filter: Record<string, unknown>, field: string, each: (tasks: UserTask[]) => Promise<void>): Promise<void> {
    for (let from = 0; ; from += PAGE_SIZE) {
      const search = { filter, sort: [{ field, order: 'ASC' }], page: { from, limit: PAGE_SIZE } } as unknown as TaskSearch;
      const { items } = await engineCall(() => this.client.searchUserTasks(search, NOW));
      if (items.length > 0) await each(items);
      if (items.length < PAGE_SIZE) return;
    }
  }

  /**
   * Writes these engine tasks into the index: a task it knows gets its state, assignee and dates (an ended task stays
   * ended, whatever a lagging search still says); a new one also its scope and family. A task whose instance carries
   * no region is nobody's (task-scope.ts) and is left out.
   */
  private async absorb(tasks: UserTask[]): Promise<void> {
    if (tasks.length === 0) return;
    const keys = tasks.map((task) => String(task.userTaskKey));
    const known: { user_task_key: string }[] = await this.dataSource.query(`SELECT user_task_key FROM task_index WHERE user_task_key = ANY($1)`, [keys]);
    const knownKeys = new Set(known.map((row) => row.user_task_key));
    const now = this.clock.now();
    const changes = tasks.map((task) => changeOf(task, now));
    const updates = changes.filter((change) => knownKeys.has(change.userTaskKey));
    if (updates.length > 0) {
      await this.dataSource.query(
        `UPDATE task_index t SET state = u.state, assignee = u.assignee, name = u.name, candidate_groups = u.candidate_groups, priority = u.priority,
                due_at = u.due_at, follow_up_at = u.follow_up_at, ended_at = u.ended_at, indexed_at = now()
         FROM jsonb_to_recordset($1::jsonb) AS u(user_task_key text, state text, assignee text, name text, candidate_groups text[], priority int, due_at timestamptz, follow_up_at timestamptz, ended_at timestamptz)
         WHERE t.user_task_key = u.user_task_key AND t.state = 'CREATED'
           AND (t.state, t.assignee, t.name, t.candidate_groups, t.priority, t.due_at, t.follow_up_at) IS DISTINCT FROM (u.state, u.assignee, u.name, u.candidate_groups, u.priority, u.due_at, u.follow_up_at)`,
        [JSON.stringify(updates.map(changeRow))],
      );
    }
    const fresh = tasks.filter((task) => !knownKeys.has(String(task.userTaskKey)));
    if (fresh.length === 0) return;
    const scopes = await this.scopesOf(fresh.map((task) => String(task.processInstanceKey)));
    const scoped = fresh.flatMap((task) => {
      const scope = scopes.get(String(task.processInstanceKey));
      return scope ? [{ task, scope, elementInstanceKey: String(task.elementInstanceKey), processInstanceKey: String(task.processInstanceKey), subjectType: scope.subjectType }] : [];
    });
    if (scoped.length === 0) return;
    const reviewed = await this.reviewedCasesOf(scoped);
    const lines = scoped.map(({ task, scope }) => ({
      task,
      scope,
      reviewedCaseId: reviewed.get(String(task.elementInstanceKey)) ?? null,
    }));
    const contexts = await this.contexts.of(lines.map((l) => ({ subjectType: l.scope.subjectType, subjectId: l.scope.subjectId, dueDate: l.task.dueDate ?? null, reviewedCaseId: l.reviewedCaseId })));
    const rows = lines.map(({ task, scope, reviewedCaseId }, i) => {
      const context = contexts[i];
      const family = context && 'caseNumber' in context ? context : null;
      return {
        ...changeRow(changeOf(task, now)),
        process_instance_key: String(task.processInstanceKey),
        element_instance_key: String(task.elementInstanceKey),
        process_definition_id: String(task.processDefinitionId),
        element_id: String(task.elementId),
        form_key: task.formKey ? String(task.formKey) : null,
        region_code: scope.regionCode,
        county_code: scope.regionCode.slice(0, 6),
        township_code: scope.regionCode.length >= 9 ? scope.regionCode.slice(0, 9) : null,
        subject_type: scope.subjectType,
        subject_id: scope.subjectId,
        reviewed_case_id: reviewedCaseId,
        case_number: family?.caseNumber ?? null,
        applicant_name: family?.applicantName ?? null,
        created_at: task.creationDate ?? now.toISOString(),
      };
    });
    await this.dataSource.query(
      `INSERT INTO task_index (user_task_key, process_instance_key, element_instance_key, process_definition_id, element_id, name, state, candidate_groups,
                               assignee, form_key, priority, region_code, county_code, township_code, subject_type, subject_id, reviewed_case_id,
                               case_number, applicant_name, created_at, due_at, follow_up_at, ended_at)
       SELECT user_task_key, process_instance_key, element_instance_key, process_definition_id, element_id, name, state, coalesce(candidate_groups, '{}'),
              assignee, form_key, priority, region_code, county_code, township_code, subject_type, subject_id, reviewed_case_id,
              case_number, applicant_name, created_at, due_at, follow_up_at, ended_at
       FROM jsonb_to_recordset($1::jsonb) AS r(user_task_key text, process_instance_key text, element_instance_key text, process_definition_id text, element_id text,
            name text, state text, candidate_groups text[], assignee text, form_key text, priority int, region_code text, county_code text, township_code text,
            subject_type text, subject_id text, reviewed_case_id text, case_number text, applicant_name text, created_at timestamptz, due_at timestamptz,
            follow_up_at timestamptz, ended_at timestamptz)
       ON CONFLICT (user_task_key) DO UPDATE SET state = EXCLUDED.state, assignee = EXCLUDED.assignee, due_at = EXCLUDED.due_at, ended_at = EXCLUDED.ended_at, indexed_at = now()
         WHERE task_index.state = 'CREATED'`,
      [JSON.stringify(rows)],
    );
  }
}

interface Change {
  userTaskKey: string;
  state: string;
  assignee: string | null;
  name: string | null;
  candidateGroups: string[];
  priority: number | null;
  dueAt: string | null;
  followUpAt: string | null;
  endedAt: string | null;
}

function changeOf(task: UserTask, now: Date): Change {
  const state = String(task.state);
  const ended = ENDED.includes(state);
  return {
    userTaskKey: String(task.userTaskKey),
    // Transitional states (ASSIGNING, COMPLETING, …) are still open work.
    state: ended ? state : 'CREATED',
    assignee: task.assignee ?? null,
    name: task.name ?? null,
    candidateGroups: task.candidateGroups ?? [],
    priority: task.priority ?? null,
    dueAt: task.dueDate ?? null,
    followUpAt: task.followUpDate ?? null,
    endedAt: ended ? (task.completionDate ?? now.toISOString()) : null,
  };
}

function changeRow(change: Change) {
  return {
    user_task_key: change.userTaskKey,
    state: change.state,
    assignee: change.assignee,
    name: change.name,
    candidate_groups: change.candidateGroups,
    priority: change.priority,
    due_at: change.dueAt,
    follow_up_at: change.followUpAt,
    ended_at: change.endedAt,
  };
}

function latest(mark: Date | null, dates: (string | undefined | null)[]): Date | null {
  let best = mark;
  for (const text of dates) {
    const at = text ? new Date(text) : null;
    if (at && !Number.isNaN(at.getTime()) && (!best || at > best)) best = at;
  }
  return best;
}

interface Row {
  user_task_key: string;
  process_instance_key: string;
  element_instance_key: string;
  process_definition_id: string;
  element_id: string;
  name: string | null;
  state: string;
  candidate_groups: string[];
  assignee: string | null;
  form_key: string | null;
  priority: number | null;
  region_code: string;
  subject_type: string | null;
  subject_id: string | null;
  reviewed_case_id: string | null;
  case_number: string | null;
  applicant_name: string | null;
  created_at: Date;
  due_at: Date | null;
  follow_up_at: Date | null;
}

function fromRow(row: Row): IndexedTask {
  return {
    userTaskKey: row.user_task_key,
    processInstanceKey: row.process_instance_key,
    elementInstanceKey: row.element_instance_key,
    processDefinitionId: row.process_definition_id,
    elementId: row.element_id,
    name: row.name,
    state: row.state,
    candidateGroups: row.candidate_groups,
    assignee: row.assignee,
    formKey: row.form_key,
    priority: row.priority,
    regionCode: row.region_code,
    subjectType: row.subject_type,
    subjectId: row.subject_id,
    reviewedCaseId: row.reviewed_case_id,
    caseNumber: row.case_number,
    applicantName: row.applicant_name,
    createdAt: row.created_at,
    dueAt: row.due_at,
    followUpAt: row.follow_up_at,
  };
}
