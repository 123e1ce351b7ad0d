import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { CAMUNDA_CLIENT, type CamundaClient } from '../workflow/camunda-client';
import { ListenerVerdict } from '../workflow/job-outcome';
import { JobWorker } from '../workflow/job-worker.decorator';
import { auditedValues } from './audited-values';
import { engineCall, NOW } from './engine-call';
import { checkSubmission, type FormSchema } from './form-rules';
import { TaskCompletions } from './task-completions';
import { TaskIndex } from './task-index';
import type { CaseScope } from './task-scope';
import { TasksService, type UserTask } from './tasks.service';

/** The part of a user-task listener's job these listeners read (Camunda 8.8: the task under `io.camunda.zeebe:*`). */
export interface ListenerJob {
  processInstanceKey: string;
  customHeaders: Record<string, unknown>;
  variables: Record<string, unknown>;
}

/**
 * The task-local variable a client outside our API sets before it completes a task, holding the form's values:
 * Camunda 8.8 does not show a completion's own variables to a completing listener (camunda/camunda#24101), so the
 * listener checks these. `{ userTaskKey, values }`; the key ties it to this task, never to an earlier one.
 */
export const FORM_SUBMISSION = 'formSubmission';

const NO_ASSIGNEE = '请先认领此任务再办理：审计记录须写明由谁办理 / Claim the task before completing it: the audit trail names who completed each step';

/** Why a completion whose values the listener cannot see is denied, and what to do instead. */
export function valuesNotVisible(userTaskKey: string): string {
  return (
    `兜底无法核对本次办理提交的表单值（Camunda 8.8 的任务监听器看不到随“完成”请求提交的变量），请在兜底工作台 /tasks/${userTaskKey} 办理此步骤 / ` +
    `Doudi cannot check the values of this completion: Camunda 8.8 does not show a completion's variables to task listeners (camunda/camunda#24101). ` +
    `Complete this step in the Doudi workbench (/tasks/${userTaskKey}), or first set the form's values on the task as the local variable ${FORM_SUBMISSION} = { userTaskKey, values }`
  );
}

/** The values a client declared on the task for this completion, or undefined. */
export function submissionOf(variables: Record<string, unknown>, userTaskKey: string): Record<string, unknown> | undefined {
  const declared = variables[FORM_SUBMISSION] as { userTaskKey?: unknown; values?: unknown } | undefined;
  if (!declared || typeof declared !== 'object' || String(declared.userTaskKey) !== userTaskKey) return undefined;
  const values = declared.values;
  return values && typeof values === 'object' && !Array.isArray(values) ? (values as Record<string, unknown>) : undefined;
}

/**
 * The user-task listeners of every model (`zeebe:taskListener` `task.assigning` and `task.completing`), so an
 * assignment or completion from Camunda Tasklist, our task API or any other client of the engine is held to the same
 * rules: separation of duties on every assignment and completion; a completion our task API did not check is checked
 * here against the task's form rules, from the values declared on the task (FORM_SUBMISSION), and audited with them
 * (`task.completed`, channel `engine`), or denied with the reason, which the engine hands back to the client.
 */
@Injectable()
export class TaskListeners {
  private readonly logger = new Logger(TaskListeners.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(CAMUNDA_CLIENT) private readonly client: CamundaClient,
    private readonly audit: AuditService,
    private readonly completions: TaskCompletions,
    private readonly index: TaskIndex,
    private readonly tasks: TasksService,
  ) {}

  /** An unassignment always stands; an assignee the separation of duties excludes is refused. */
  @JobWorker({ type: 'task.assigning', timeoutMs: 30_000 })
  async assigning(job: ListenerJob): Promise<ListenerVerdict> {
    const assignee = header(job, 'assignee');
    if (!assignee) return ListenerVerdict.accept();
    const { task, scope } = await this.taskOf(job);
    const conflict = scope ? await this.tasks.dutyConflict(task, scope, assignee) : undefined;
    return conflict ? this.denied(task, scope, assignee, 'task.assignment-denied', conflict.message) : ListenerVerdict.accept();
  }

  @JobWorker({ type: 'task.completing', timeoutMs: 30_000 })
  async completing(job: ListenerJob): Promise<ListenerVerdict> {
    const userTaskKey = header(job, 'userTaskKey');
    // Checked and audited already: by the task API before it asked the engine, or by an earlier run of this job.
    if (await this.completions.pendingFor(userTaskKey)) return ListenerVerdict.accept();
    const { task, scope } = await this.taskOf(job);
    const assignee = header(job, 'assignee');
    if (!scope) return ListenerVerdict.deny(`用户任务 ${userTaskKey} 不属于兜底的任何案件 / User task ${userTaskKey} belongs to no case of this service`);
    if (!assignee) return this.denied(task, scope, null, 'task.completion-denied', NO_ASSIGNEE);
    const conflict = await this.tasks.dutyConflict(task, scope, assignee);
    if (conflict) return this.denied(task, scope, assignee, 'task.completion-denied', conflict.message);
    const submitted = submissionOf(job.variables, userTaskKey);
    if (!submitted) return this.denied(task, scope, assignee, 'task.completion-denied', valuesNotVisible(userTaskKey));
    const context = Object.fromEntries(Object.entries(job.variables).filter(([name]) => name !== FORM_SUBMISSION));
    const { variables, problems } = checkSubmission((await this.tasks.formOf(task)) as FormSchema | null, submitted, context);
    if (problems.length > 0) {
      const reason = `表单值不符合规则 / The form's values break its rules: ${problems.map((p) => p.message).join('；')}`;
      return this.denied(task, scope, assignee, 'task.completion-denied', reason);
    }
    const subjectType = scope.subjectType ?? 'process-instance';
    const subjectId = scope.subjectId ?? String(task.processInstanceKey);
    await this.dataSource.transaction(async (manager) => {
      const event = await this.audit.record(
        {
          actor: { id: assignee },
          regionCode: scope.regionCode,
          action: 'task.completed',
          subjectType,
          subjectId,
          details: { userTaskKey, elementId: task.elementId, name: task.name ?? null, processInstanceKey: task.processInstanceKey, channel: 'engine', fields: Object.keys(variables), values: auditedValues(variables) },
        },
        manager,
      );
      // Pending until the reconciler sees the engine's state: the completion may still fail after this verdict.
      await this.completions.begin(
        { userTaskKey, auditEventId: String(event.id), actorId: assignee, regionCode: scope.regionCode, subjectType, subjectId, processDefinitionId: String(task.processDefinitionId), elementId: String(task.elementId) },
        manager,
      );
    });
    return ListenerVerdict.accept();
  }

  private async taskOf(job: ListenerJob): Promise<{ task: UserTask; scope: CaseScope | undefined }> {
    const userTaskKey = header(job, 'userTaskKey');
    const [task, scopes] = await Promise.all([
      engineCall(() => this.client.getUserTask({ userTaskKey: userTaskKey as UserTask['userTaskKey'] }, NOW), userTaskKey),
      this.index.scopesOf([String(job.processInstanceKey)]),
    ]);
    return { task, scope: scopes.get(String(job.processInstanceKey)) };
  }

  /** A denial, in the audit trail of the case (who tried what, and why not) and as the listener's verdict. */
  private async denied(task: UserTask, scope: CaseScope | undefined, actorId: string | null, action: string, reason: string): Promise<ListenerVerdict> {
    if (scope) {
      await this.audit.record({
        actor: { id: actorId ?? 'unassigned' },
        regionCode: scope.regionCode,
        action,
        subjectType: scope.subjectType ?? 'process-instance',
        subjectId: scope.subjectId ?? String(task.processInstanceKey),
        details: { userTaskKey: task.userTaskKey, elementId: task.elementId, name: task.name ?? null, processInstanceKey: task.processInstanceKey, reason },
      });
    }
    this.logger.log({ userTaskKey: task.userTaskKey, elementId: task.elementId, action }, 'task listener denied');
    return ListenerVerdict.deny(reason);
  }
}

function header(job: ListenerJob, name: string): string {
  const value = job.customHeaders[`io.camunda.zeebe:${name}`];
  return typeof value === 'string' ? value : '';
}
