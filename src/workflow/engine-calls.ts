import type { ProcessDefinitionId } from '@camunda8/sdk';
import { DomainError } from '../common/domain-error';
import type { CamundaClient } from './camunda-client';

/**
 * Publishes a message at most once: the message id makes a repeat (a retried job, a repeated request) a 409 from the
 * engine while the first message lives, and that 409 is the success it stands for.
 */
export async function publishOnce(
  camunda: CamundaClient,
  message: { name: string; correlationKey: string; messageId: string; timeToLiveMs: number; variables: Record<string, unknown> },
): Promise<void> {
  try {
    await camunda.publishMessage({ name: message.name, correlationKey: message.correlationKey, messageId: message.messageId, timeToLive: message.timeToLiveMs, variables: message.variables });
  } catch (error) {
    if ((error as { status?: unknown }).status !== 409) throw error;
  }
}

/** Starts an instance of a process; an engine that does not start it is a 503 the caller may retry. Returns its key. */
export async function startProcess(camunda: CamundaClient, processDefinitionId: string, variables: Record<string, unknown>): Promise<string> {
  try {
    const started = await camunda.createProcessInstance({ processDefinitionId: processDefinitionId as ProcessDefinitionId, variables });
    return String(started.processInstanceKey);
  } catch (error) {
    throw new DomainError('engine-unavailable', `the workflow engine did not start the procedure: ${(error as Error).message}`, 503);
  }
}

/**
 * When the last completed user task at `elementId` of an instance was completed: the moment the person acted, which
 * a deadline is met at (the worker after it may run much later, e.g. after an incident). Undefined when the engine
 * has no such task. Read before any transaction is opened.
 */
export async function taskCompletedAt(camunda: CamundaClient, processInstanceKey: string, elementId: string): Promise<Date | undefined> {
  const { items } = await camunda.searchUserTasks(
    { filter: { processInstanceKey, elementId, state: 'COMPLETED' }, sort: [{ field: 'completionDate', order: 'DESC' }], page: { limit: 1 } } as never,
    { consistency: { waitUpToMs: 0 } },
  );
  const completed = items[0]?.completionDate;
  return completed ? new Date(completed) : undefined;
}
