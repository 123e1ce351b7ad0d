import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { Principal } from '../auth/principal';
import { regionCovers } from '../auth/region';
import { Role } from '../auth/roles';
import { DomainError } from '../common/domain-error';
import { InvalidRequestException } from '../common/problem';
import { CAMUNDA_CLIENT, CamundaClient } from '../workflow/camunda-client';
import { auditedValues } from './audited-values';
import { checkSubmission, type FormSchema } from './form-rules';
import { BATCH_SUBJECT } from '../sampling/sampling.service';
import { mayReassign } from './reassignment';
import { mayDo } from './separation-of-duties';
import { TaskCompletions } from './task-completions';
import { TaskContexts } from './task-context';
import { canSee, canWork, type CaseScope, parseJson, SCOPE_VARIABLES, scopesFrom } from './task-scope';
import type { TaskDetail, TaskList, TaskListQueryDto, TaskSummary } from './tasks.dto';

type UserTask = Awaited<ReturnType<CamundaClient['getUserTask']>>;
type TaskSearch = Parameters<CamundaClient['searchUserTasks']>[0];
type VariableSearch = Parameters<CamundaClient['searchVariables']>[0];

/** Reads answer from what the engine knows now; a real cluster's search side may lag a moment behind. */
const NOW = { consistency: { waitUpToMs: 0 } };
/** The engine is searched this many tasks at a time, up to MAX_SCANNED per list call, region-filtered here. */
const PAGE_SIZE = 200;
const MAX_SCANNED = 5_000;
const MAX_VARIABLES = 1_000;

/**
 * The caseworkers' task API over the engine's user tasks, through the SDK client only, so it works the same on the
 * embedded engine and on a real Camunda 8.8. A task outside the caller's reach answers as if it did not exist.
 */
@Injectable()
export class TasksService {
  constructor(
    @Inject(CAMUNDA_CLIENT) private readonly client: CamundaClient,
    private readonly audit: AuditService,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly completions: TaskCompletions,
    private readonly contexts: TaskContexts,
  ) {}

  /**
   * The caller's tasks, oldest first. The engine cannot filter on our region variable the same way everywhere, so
   * tasks are searched by candidate group (and, separately, by assignee) and filtered by region here.
   */
  async list(query: TaskListQueryDto, principal: Principal): Promise<TaskList> {
    const base = { state: query.state, processInstanceKey: query.processInstanceKey, elementId: query.elementId };
    const filters =
      query.assignee === 'me'
        ? [{ ...base, assignee: principal.id }]
        : principal.roles.includes(Role.Supervisor)
          ? [base]
          : [{ ...base, candidateGroup: { $in: principal.roles } }, { ...base, assignee: principal.id }];
    const scans = await Promise.all(filters.map((filter) => this.scan(filter, principal, query.limit)));
    const unique = new Map(scans.flatMap((scan) => scan.items).map((task) => [task.userTaskKey, task]));
    const items = [...unique.values()].sort(oldestFirst).slice(0, query.limit);
    const contexts = await this.contexts.of(await this.withReviewedCases(items));
    return { items: items.map((item, i) => ({ ...item, context: contexts[i] })), truncated: unique.size > query.limit || scans.some((scan) => scan.truncated) };
  }

  /** The task, its case's context and facts, its form and its instance's variables. */
  async read(key: string, principal: Principal): Promise<TaskDetail> {
    const { task, scope } = await this.visibleTask(key, principal);
    const line = summary(task, scope);
    const [contextTask] = await this.withReviewedCases([line]);
    const [form, variables, [context], facts] = await Promise.all([this.formOf(task), this.variablesOf(task), this.contexts.of([contextTask!]), this.contexts.factsOf(contextTask!)]);
    return { ...line, context: context && 'caseNumber' in context ? { ...context, facts } : context, form, variables };
  }

  async claim(key: string, principal: Principal): Promise<void> {
    const { task, scope } = await this.workableTask(key, principal);
    if (task.assignee && task.assignee !== principal.id) throw assignedElsewhere(task);
    requireCandidate(task, principal);
    await this.checkDuties(task, scope, principal.id);
    if (task.assignee === principal.id) return;
    await this.engine(() => this.client.assignUserTask({ userTaskKey: task.userTaskKey, assignee: principal.id, allowOverride: false }), key);
  }

  /** Only the assignee gives a task back; an unassigned task stays so. */
  async unclaim(key: string, principal: Principal): Promise<void> {
    const { task } = await this.workableTask(key, principal);
    if (!task.assignee) return;
    if (task.assignee !== principal.id) throw assignedElsewhere(task);
    await this.engine(() => this.client.unassignUserTask({ userTaskKey: task.userTaskKey }), key);
  }

  /**
   * A leader hands the task to `assignee` (reassigning it from whoever claimed it): a township leader the township
   * tasks, county civil affairs the county ones (reassignment.ts), within their region; never to someone the
   * separation of duties excludes. Audited (`task.reassigned`, from → to) once the engine took it. The assignee's
   * group and region are checked when they act on it (claim, complete): there is no user directory to ask here.
   */
  async assign(key: string, assignee: string, principal: Principal): Promise<void> {
    const { task, scope } = await this.scopedTask(key);
    if (!scope || !regionCovers(principal.regionCode, scope.regionCode)) throw taskNotFound(key);
    if (!mayReassign(principal, task)) {
      throw new DomainError('not-a-reassigner', `user task ${key} is for ${(task.candidateGroups ?? []).join(', ')}: only the leader of that level reassigns it, not your roles`, 403);
    }
    if (task.state !== 'CREATED') throw new DomainError('task-not-open', `user task ${key} is ${task.state}, no longer open`, 409);
    await this.checkDuties(task, scope, assignee);
    const from = task.assignee ?? null;
    if (from === assignee) return;
    await this.engine(() => this.client.assignUserTask({ userTaskKey: task.userTaskKey, assignee, allowOverride: true }), key);
    await this.audit.record({
      actor: { id: principal.id, roles: principal.roles },
      regionCode: scope.regionCode,
      action: 'task.reassigned',
      subjectType: scope.subjectType ?? 'process-instance',
      subjectId: scope.subjectId ?? String(task.processInstanceKey),
      details: { userTaskKey: task.userTaskKey, elementId: task.elementId, name: task.name ?? null, processInstanceKey: task.processInstanceKey, from, to: assignee },
    });
  }

  /**
   * Checks the values against the task's form, completes the task and records it in the audit trail: the submitted
   * values (the decision and its reasons), ID numbers masked and huge values by their size (audited-values.ts). A
   * completion the engine refuses is recorded as failed beside it.
   */
  async complete(key: string, submitted: Record<string, unknown>, principal: Principal): Promise<void> {
    const { task, scope } = await this.workableTask(key, principal);
    if (task.assignee && task.assignee !== principal.id) throw assignedElsewhere(task);
    requireCandidate(task, principal);
    await this.checkDuties(task, scope, principal.id);
    const [form, context] = await Promise.all([this.formOf(task), this.variablesOf(task)]);
    const { variables, problems } = checkSubmission(form as FormSchema | null, submitted, context);
    if (problems.length > 0) throw new InvalidRequestException(problems);
    const subjectType = scope.subjectType ?? 'process-instance';
    const subjectId = scope.subjectId ?? String(task.processInstanceKey);
    // The audit row and the intent commit before the engine is called (never inside a transaction): a crash can
    // leave an intent to settle, never a completion without its audit row.
    const intent = await this.dataSource.transaction(async (manager) => {
      const event = await this.audit.record(
        {
          actor: { id: principal.id, roles: principal.roles },
          regionCode: scope.regionCode,
          action: 'task.completed',
          subjectType,
          subjectId,
          details: {
            userTaskKey: task.userTaskKey,
            elementId: task.elementId,
            name: task.name ?? null,
            processInstanceKey: task.processInstanceKey,
            fields: Object.keys(variables),
            values: auditedValues(variables),
          },
        },
        manager,
      );
      return this.completions.begin(
        { userTaskKey: String(task.userTaskKey), auditEventId: String(event.id), actorId: principal.id, regionCode: scope.regionCode, subjectType, subjectId, processDefinitionId: String(task.processDefinitionId), elementId: String(task.elementId) },
        manager,
      );
    });
    try {
      await this.engine(() => this.client.completeUserTask({ userTaskKey: task.userTaskKey, variables }), key);
    } catch (error) {
      // A refusal is certain; an engine that did not answer may still have taken it: the reconciler will look.
      const status = error instanceof DomainError ? error.status : (error as { status?: unknown }).status;
      if (typeof status === 'number' && status < 500) await this.completions.failed(intent, (error as Error).message);
      throw error;
    }
    await this.completions.completed(intent);
  }

  /** Searches one filter page by page until more than `wanted` visible tasks are found or the engine has no more. */
  private async scan(filter: Record<string, unknown>, principal: Principal, wanted: number): Promise<{ items: Omit<TaskSummary, 'context'>[]; truncated: boolean }> {
    const items: Omit<TaskSummary, 'context'>[] = [];
    for (let from = 0; from < MAX_SCANNED; from += PAGE_SIZE) {
      const search = { filter, sort: [{ field: 'creationDate', order: 'ASC' }], page: { from, limit: PAGE_SIZE } } as TaskSearch;
      const page = await this.engine(() => this.client.searchUserTasks(search, NOW));
      const scopes = await this.scopesOf(page.items.map((task) => String(task.processInstanceKey)));
      for (const task of page.items) {
        const scope = scopes.get(String(task.processInstanceKey));
        if (canSee(principal, task, scope)) items.push(summary(task, scope!));
      }
      if (items.length > wanted) return { items, truncated: true };
      if (page.items.length < PAGE_SIZE) return { items, truncated: false };
    }
    return { items, truncated: true };
  }

  /** The scoping variables of these instances, in one search. */
  private async scopesOf(processInstanceKeys: string[]): Promise<Map<string, CaseScope>> {
    const keys = [...new Set(processInstanceKeys)];
    if (keys.length === 0) return new Map();
    const search = {
      filter: { processInstanceKey: { $in: keys }, scopeKey: { $in: keys }, name: { $in: [...SCOPE_VARIABLES] } },
      page: { limit: keys.length * SCOPE_VARIABLES.length },
      truncateValues: false,
    } as VariableSearch;
    const { items } = await this.engine(() => this.client.searchVariables(search, NOW));
    return scopesFrom(items);
  }

  /**
   * The tasks with, for each county review of a sampled case, the case it reviews: the task's own `reviewedCaseId`
   * (bpmn/county-sampling-batch.bpmn), in one search. The rest of the context comes from our tables.
   */
  private async withReviewedCases<T extends Omit<TaskSummary, 'context'>>(tasks: T[]): Promise<(T & { reviewedCaseId: string | null })[]> {
    const reviews = tasks.filter((task) => task.subjectType === BATCH_SUBJECT);
    const found = new Map<string, string>();
    if (reviews.length > 0) {
      const search = {
        filter: { processInstanceKey: { $in: [...new Set(reviews.map((t) => t.processInstanceKey))] }, scopeKey: { $in: reviews.map((t) => t.elementInstanceKey) }, name: 'reviewedCaseId' },
        page: { limit: reviews.length },
      } as VariableSearch;
      const { items } = await this.engine(() => this.client.searchVariables(search, NOW));
      for (const variable of items) {
        const value = parseJson(variable.value);
        if (typeof value === 'string') found.set(String(variable.scopeKey), value);
      }
    }
    return tasks.map((task) => ({ ...task, reviewedCaseId: found.get(task.elementInstanceKey) ?? null }));
  }

  /** The task when the caller may see it; 404 otherwise, whether it does not exist or is out of reach. */
  private async visibleTask(key: string, principal: Principal): Promise<{ task: UserTask; scope: CaseScope }> {
    const { task, scope } = await this.scopedTask(key);
    if (!canSee(principal, task, scope)) throw taskNotFound(key);
    return { task, scope: scope! };
  }

  /** The task and its case scope (undefined when its instance has none), whoever asks. */
  private async scopedTask(key: string): Promise<{ task: UserTask; scope: CaseScope | undefined }> {
    if (!/^\d{1,25}$/.test(key)) throw taskNotFound(key);
    const task = await this.engine(() => this.client.getUserTask({ userTaskKey: key as UserTask['userTaskKey'] }, NOW), key);
    return { task, scope: (await this.scopesOf([String(task.processInstanceKey)])).get(String(task.processInstanceKey)) };
  }

  /** Separation of duties (separation-of-duties.ts): 403 when `actorId` did an earlier step of the case that excludes this one. */
  private async checkDuties(task: UserTask, scope: CaseScope, actorId: string): Promise<void> {
    const step = { processDefinitionId: String(task.processDefinitionId), elementId: String(task.elementId) };
    const earlier = await this.completions.earlierOf(scope.subjectType ?? 'process-instance', scope.subjectId ?? String(task.processInstanceKey));
    const check = mayDo(step, actorId, earlier);
    if (!check.allowed) {
      // The steps by their names in the model (as the audit row of the earlier one recorded it): 乡镇审批 Township leader decision.
      const [earlier] = await this.audit.byIds(check.earlier.auditEventId ? [check.earlier.auditEventId] : []);
      const earlierName = (earlier?.details as { name?: string } | undefined)?.name ?? check.earlier.elementId;
      const name = task.name ?? step.elementId;
      throw new DomainError(
        'separation-of-duties',
        `职责分离：${actorId} 已办理本案“${earlierName}”，不能再办理“${name}”，须由他人办理 / ${actorId} did "${earlierName}" (${check.earlier.elementId}) of this case and may not do "${name}" (${step.elementId}, user task ${task.userTaskKey}): someone else must`,
        403,
        { earlierStep: check.earlier.elementId, earlierStepName: earlierName, step: step.elementId, stepName: name },
      );
    }
  }

  /** A visible task the caller may work on (candidate group or assignee) and that is still open. */
  private async workableTask(key: string, principal: Principal) {
    const found = await this.visibleTask(key, principal);
    if (!canWork(principal, found.task)) {
      throw new DomainError('not-a-candidate', `user task ${key} is for ${(found.task.candidateGroups ?? []).join(', ') || 'its assignee'}, not for your roles`, 403);
    }
    if (found.task.state !== 'CREATED') throw new DomainError('task-not-open', `user task ${key} is ${found.task.state}, no longer open`, 409);
    return found;
  }

  /** The schema of the task's linked form, or null when it has none. */
  private async formOf(task: UserTask): Promise<Record<string, unknown> | null> {
    if (!task.formKey) return null;
    let form: { schema?: unknown } | void;
    try {
      // A real cluster answers 204 (no body) for a task without a form, the embedded engine 404.
      form = await this.engine(() => this.client.getUserTaskForm({ userTaskKey: task.userTaskKey }, NOW));
    } catch (error) {
      if ((error as { status?: unknown }).status === 404) return null;
      throw error;
    }
    // The API documents an object; some servers send the form's JSON text.
    const schema = form && typeof form.schema === 'string' ? parseJson(form.schema) : form?.schema;
    return schema && typeof schema === 'object' ? (schema as Record<string, unknown>) : null;
  }

  /** The variables of the task's process instance (its own scope), name → value. */
  private async variablesOf(task: UserTask): Promise<Record<string, unknown>> {
    const key = String(task.processInstanceKey);
    const search = { filter: { processInstanceKey: key, scopeKey: key }, page: { limit: MAX_VARIABLES }, truncateValues: false } as VariableSearch;
    const { items } = await this.engine(() => this.client.searchVariables(search, NOW));
    return Object.fromEntries(items.map((variable) => [variable.name, parseJson(variable.value)]));
  }

  /**
   * Runs an engine call: a 404 of the task (when `taskKey` is given) is task-not-found, a 409 a conflict; no answer,
   * 5xx or 429 is engine-unavailable (503); other refusals pass as they are.
   */
  private async engine<T>(call: () => PromiseLike<T>, taskKey?: string): Promise<T> {
    try {
      return await call();
    } catch (error) {
      const status = (error as { status?: unknown }).status;
      if (status === 404 && taskKey) throw taskNotFound(taskKey);
      if (status === 409) throw new DomainError('task-conflict', `the engine refused the change: ${(error as Error).message}`, 409);
      if (typeof status === 'number' && status < 500 && status !== 429) throw error;
      throw new DomainError('engine-unavailable', `the workflow engine did not answer: ${(error as Error).message}`, 503);
    }
  }
}

function summary(task: UserTask, scope: CaseScope): Omit<TaskSummary, 'context'> {
  return {
    userTaskKey: String(task.userTaskKey),
    name: task.name ?? null,
    state: String(task.state),
    elementId: String(task.elementId),
    processDefinitionId: String(task.processDefinitionId),
    processInstanceKey: String(task.processInstanceKey),
    elementInstanceKey: String(task.elementInstanceKey),
    candidateGroups: task.candidateGroups ?? [],
    assignee: task.assignee ?? null,
    creationDate: task.creationDate ?? null,
    dueDate: task.dueDate ?? null,
    followUpDate: task.followUpDate ?? null,
    priority: task.priority ?? null,
    regionCode: scope.regionCode,
    subjectType: scope.subjectType,
    subjectId: scope.subjectId,
    formKey: task.formKey ? String(task.formKey) : null,
  };
}

function oldestFirst(a: Omit<TaskSummary, 'context'>, b: Omit<TaskSummary, 'context'>): number {
  const byDate = (a.creationDate ?? '').localeCompare(b.creationDate ?? '');
  return byDate || a.userTaskKey.length - b.userTaskKey.length || a.userTaskKey.localeCompare(b.userTaskKey);
}

function taskNotFound(key: string): DomainError {
  return new DomainError('task-not-found', `user task ${key} not found`, 404);
}

/**
 * Claiming and completing take one of the task's candidate groups, assigned or not: a task a leader handed to someone
 * of another group stays out of their hands (there is no user directory to check the assignee against beforehand).
 */
function requireCandidate(task: UserTask, principal: Principal): void {
  const groups = task.candidateGroups ?? [];
  if (groups.length > 0 && !groups.some((group) => (principal.roles as string[]).includes(group))) {
    throw new DomainError('not-a-candidate', `user task ${task.userTaskKey} is for ${groups.join(', ')}, not for your roles`, 403);
  }
}

function assignedElsewhere(task: UserTask): DomainError {
  return new DomainError('task-assigned', `user task ${task.userTaskKey} is assigned to ${task.assignee}; it must be unclaimed first`, 409);
}
