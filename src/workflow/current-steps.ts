import type { CamundaClient } from './camunda-client';

export interface CurrentStep {
  userTaskKey: string;
  name: string | undefined;
  elementId: string | undefined;
  candidateGroups: string[] | undefined;
  assignee: string | null;
  dueDate: string | null;
}

/** Who must act now: the open user tasks of a process instance; null when the engine cannot say (it is down). */
export async function currentSteps(camunda: CamundaClient, processInstanceKey: string | null): Promise<CurrentStep[] | null> {
  if (!processInstanceKey) return [];
  try {
    const { items } = await camunda.searchUserTasks(
      { filter: { processInstanceKey: processInstanceKey as never, state: 'CREATED' } },
      // Current state, as far as the engine's search knows it: waiting would only delay an empty answer.
      { consistency: { waitUpToMs: 0 } },
    );
    return items.map((t) => ({ userTaskKey: String(t.userTaskKey), name: t.name, elementId: t.elementId, candidateGroups: t.candidateGroups, assignee: t.assignee ?? null, dueDate: t.dueDate ?? null }));
  } catch {
    // The record is readable while the engine is down; the steps are then unknown, not empty.
    return null;
  }
}
