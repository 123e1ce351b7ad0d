/**
 * Separation of duties (职责分离): who may not decide a case because they did an earlier step of it. One rule for
 * the task API (claim, complete, reassignment) and, later, for a Camunda task listener: a pure function over the
 * case's earlier completions as our own records show them (task_completion), engine-agnostic.
 */

/** A step of the case someone completed earlier. */
export interface EarlierCompletion {
  processDefinitionId: string;
  elementId: string;
  actorId: string;
  /** Its `task.completed` audit row (which names the step as the model does). */
  auditEventId?: string;
}

/** The step to be done: its process and element. */
export interface Step {
  processDefinitionId: string;
  elementId: string;
}

export type DutyCheck = { allowed: true } | { allowed: false; earlier: EarlierCompletion };

/**
 * Deciding steps → the earlier steps of the same process whose performer may not do them. Dibao (PROCEDURES.md §1,
 * township audit): the caseworker who investigated or proposed does not decide, alone or in the joint meeting.
 * Temporary aid: whoever handled the township reply does not approve it, at any level.
 */
export const SEPARATED_STEPS: Record<string, Record<string, readonly string[]>> = {
  'dibao-application': {
    Task_leader_decision: ['Task_investigation', 'Task_proposal'],
    Task_joint_meeting: ['Task_investigation', 'Task_proposal'],
  },
  'temporary-aid': {
    Task_township_approval: ['Task_reply'],
    Task_county_approval: ['Task_reply'],
    Task_joint_meeting: ['Task_reply'],
  },
};

/** Whether `actorId` may do `step`, given the completions of the same case so far. */
export function mayDo(step: Step, actorId: string, earlier: readonly EarlierCompletion[]): DutyCheck {
  const excluded = SEPARATED_STEPS[step.processDefinitionId]?.[step.elementId] ?? [];
  const done = earlier.find((c) => c.actorId === actorId && c.processDefinitionId === step.processDefinitionId && excluded.includes(c.elementId));
  return done ? { allowed: false, earlier: done } : { allowed: true };
}
