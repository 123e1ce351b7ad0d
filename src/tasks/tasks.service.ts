import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { Principal } from '../auth/principal';
import { regionCovers } from '../auth/region';
import { Clock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { InvalidRequestException } from '../common/problem';
import { AppConfig } from '../config/app-config';
import { CAMUNDA_CLIENT, CamundaClient } from '../workflow/camunda-client';
import { auditedValues } from './audited-values';
import { holdsAnyGroup } from './candidate-groups';
import { engineCall, NOW, taskNotFound } from './engine-call';
import { checkSubmission, type FormSchema } from './form-rules';
import { mayReassign } from './reassignment';
import { mayDo } from './separation-of-duties';
import { TaskCompletions } from './task-completions';
import { TaskContexts } from './task-context';
import { type IndexedTask, TaskIndex } from './task-index';
import { urgencyOf } from './task-list-query';
import { canSee, canWork, type CaseScope, parseJson } from './task-scope';
import type { TaskDetail, TaskList, TaskListQueryDto, TaskSummary } from './tasks.dto';

export type UserTask = Awaited<ReturnType<CamundaClient['getUserTask']>>;
type VariableSearch = Parameters<CamundaClient['searchVariables']>[0];

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
    private readonly index: TaskIndex,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  private get atRiskShare(): number {
    return this.config.SLA_AT_RISK_PERCENT / 100;
  }

  /**
   * A page of the caller's tasks, oldest first, from the task index (task-index.ts) after it caught up with the
   * engine: within their region, by candidate group or assignment (supervisors: all of the region), with the case
   * context and how urgent each is.
   */
  async list(query: TaskListQueryDto, principal: Principal): Promise<TaskList> {
    await this.index.catchUp();
    const view = query.assignee === 'me' ? 'mine' : query.view;
    const filter = { ...query, view, state: query.state };
    const { rows, total } = await this.index.page(filter, principal);
    const contexts = await this.contexts.of(rows.map((row) => ({ ...row, dueDate: row.dueAt?.toISOString() ?? null })));
    const now = this.clock.now();
    const items = rows.map((row, i) => ({
      ...summaryOfRow(row),
      context: contexts[i] ?? null,
      urgency: row.state === 'CREATED' ? urgencyOf(row.createdAt, row.dueAt, now, this.atRiskShare) : null,
    }));
    return { items, total, offset: query.offset, limit: query.limit, truncated: query.offset + items.length < total };
  }

  /** The task, its case's context and facts, its form and its instance's variables. */
  async read(key: string, principal: Principal): Promise<TaskDetail> {
    const { task, scope } = await this.visibleTask(key, principal);
    const line = summary(task, scope);
    const reviewed = await this.index.reviewedCasesOf([line]);
    const contextTask = { ...line, reviewedCaseId: reviewed.get(line.elementInstanceKey) ?? null };
    const [form, variables, [context], facts] = await Promise.all([this.formOf(task), this.variablesOf(task), this.contexts.of([contextTask]), this.contexts.factsOf(contextTask)]);
    const created = line.creationDate ? new Date(line.creationDate) : this.clock.now();
    const urgency = line.state === 'CREATED' ? urgencyOf(created, line.dueDate ? new Date(line.dueDate) : null, this.clock.now(), this.atRiskShare) : null;
    return { ...line, context: context && 'caseNumber' in context ? { ...context, facts } : context, urgency, form, variables };
  }

  async claim(key: string, principal: Principal): Promise<void> {
    const { task, scope } = await this.workableTask(key, principal);
    if (task.assignee && task.assignee !== principal.id) throw assignedElsewhere(task);
    requireCandidate(task, principal);
    await this.checkDuties(task, scope, principal.id);
    if (task.assignee === principal.id) return;
    await engineCall(() => this.client.assignUserTask({ userTaskKey: task.userTaskKey, assignee: principal.id, allowOverride: false }), key);
    await this.index.assigned(key, principal.id);
  }

  /** Only the assignee gives a task back; an unassigned task stays so. */
  async unclaim(key: string, principal: Principal): Promise<void> {
    const { task } = await this.workableTask(key, principal);
    if (!task.assignee) return;
    if (task.assignee !== principal.id) throw assignedElsewhere(task);
    await engineCall(() => this.client.unassignUserTask({ userTaskKey: task.userTaskKey }), key);
    await this.index.assigned(key, null);
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
    await engineCall(() => this.client.assignUserTask({ userTaskKey: task.userTaskKey, assignee, allowOverride: true }), key);
    await this.index.assigned(key, assignee);
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
      await engineCall(() => this.client.completeUserTask({ userTaskKey: task.userTaskKey, variables }), key);
    } catch (error) {
      // A refusal is certain; an engine that did not answer may still have taken it: the reconciler will look.
      const status = error instanceof DomainError ? error.status : (error as { status?: unknown }).status;
      if (typeof status === 'number' && status < 500) await this.completions.failed(intent, (error as Error).message);
      throw error;
    }
    await this.completions.completed(intent);
    await this.index.completed(key);
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
    const task = await engineCall(() => this.client.getUserTask({ userTaskKey: key as UserTask['userTaskKey'] }, NOW), key);
    return { task, scope: (await this.index.scopesOf([String(task.processInstanceKey)])).get(String(task.processInstanceKey)) };
  }

  /** Separation of duties (separation-of-duties.ts): 403 when `actorId` did an earlier step of the case that excludes this one. */
  private async checkDuties(task: UserTask, scope: CaseScope, actorId: string): Promise<void> {
    const conflict = await this.dutyConflict(task, scope, actorId);
    if (conflict) throw conflict;
  }

  /**
   * The separation-of-duties refusal (403) when `actorId` did an earlier step of the case that excludes this one,
   * else undefined; the one check of the task API and of the task listeners (task-listeners.ts).
   */
  async dutyConflict(task: UserTask, scope: CaseScope, actorId: string): Promise<DomainError | undefined> {
    const step = { processDefinitionId: String(task.processDefinitionId), elementId: String(task.elementId) };
    const earlier = await this.completions.earlierOf(scope.subjectType ?? 'process-instance', scope.subjectId ?? String(task.processInstanceKey));
    const check = mayDo(step, actorId, earlier);
    if (check.allowed) return undefined;
    // The steps by their names in the model (as the audit row of the earlier one recorded it): 乡镇审批 Township leader decision.
    const [earlierEvent] = await this.audit.byIds(check.earlier.auditEventId ? [check.earlier.auditEventId] : []);
    const earlierName = (earlierEvent?.details as { name?: string } | undefined)?.name ?? check.earlier.elementId;
    const name = task.name ?? step.elementId;
    return new DomainError(
      'separation-of-duties',
      `职责分离：${actorId} 已办理本案“${earlierName}”，不能再办理“${name}”，须由他人办理 / ${actorId} did "${earlierName}" (${check.earlier.elementId}) of this case and may not do "${name}" (${step.elementId}, user task ${task.userTaskKey}): someone else must`,
      403,
      { earlierStep: check.earlier.elementId, earlierStepName: earlierName, step: step.elementId, stepName: name },
    );
  }

  /** A visible task the caller may work on (candidate group or assignee) and that is still open. */
  private async workableTask(key: string, principal: Principal) {
    const found = await this.visibleTask(key, principal);
    if (!canWork(principal, found.task)) {
      throw new DomainError('not-a-candidate', `user task ${key} is for ${(found.task.candidateGroups ?? []).join(', ') || 'its assignee'}, not for your roles and region`, 403);
    }
    if (found.task.state !== 'CREATED') throw new DomainError('task-not-open', `user task ${key} is ${found.task.state}, no longer open`, 409);
    return found;
  }

  /** The schema of the task's linked form, or null when it has none. */
  async formOf(task: UserTask): Promise<Record<string, unknown> | null> {
    if (!task.formKey) return null;
    let form: { schema?: unknown } | void;
    try {
      // A real cluster answers 204 (no body) for a task without a form, the embedded engine 404.
      form = await engineCall(() => this.client.getUserTaskForm({ userTaskKey: task.userTaskKey }, NOW));
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
    const { items } = await engineCall(() => this.client.searchVariables(search, NOW));
    return Object.fromEntries(items.map((variable) => [variable.name, parseJson(variable.value)]));
  }
}

function summaryOfRow(row: IndexedTask): Omit<TaskSummary, 'context' | 'urgency'> {
  return {
    userTaskKey: row.userTaskKey,
    name: row.name,
    state: row.state,
    elementId: row.elementId,
    processDefinitionId: row.processDefinitionId,
    processInstanceKey: row.processInstanceKey,
    elementInstanceKey: row.elementInstanceKey,
    candidateGroups: row.candidateGroups,
    assignee: row.assignee,
    creationDate: row.createdAt.toISOString(),
    dueDate: row.dueAt?.toISOString() ?? null,
    followUpDate: row.followUpAt?.toISOString() ?? null,
    priority: row.priority,
    regionCode: row.regionCode,
    subjectType: row.subjectType,
    subjectId: row.subjectId,
    formKey: row.formKey,
  };
}

function summary(task: UserTask, scope: CaseScope): Omit<TaskSummary, 'context' | 'urgency'> {
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

/**
 * Claiming and completing take one of the task's candidate groups, assigned or not: a task a leader handed to someone
 * of another group stays out of their hands (there is no user directory to check the assignee against beforehand).
 */
function requireCandidate(task: UserTask, principal: Principal): void {
  const groups = task.candidateGroups ?? [];
  if (groups.length > 0 && !holdsAnyGroup(principal, groups)) {
    throw new DomainError('not-a-candidate', `user task ${task.userTaskKey} is for ${groups.join(', ')}, not for your roles and region`, 403);
  }
}

function assignedElsewhere(task: UserTask): DomainError {
  return new DomainError('task-assigned', `user task ${task.userTaskKey} is assigned to ${task.assignee}; it must be unclaimed first`, 409);
}
