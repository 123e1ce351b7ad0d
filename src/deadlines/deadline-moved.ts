/**
 * A computed deadline moved (its calendar changed): every model that waits on such a deadline also waits on this
 * message, takes the new instant from its one variable and waits again. Correlation key `<subjectId>/<variable>`,
 * e.g. `=subjectId + "/procedureDueAt"` in the model.
 */
export const DEADLINE_MOVED_MESSAGE = 'deadline.moved';

export function deadlineMovedCorrelationKey(subjectId: string, variable: string): string {
  return `${subjectId}/${variable}`;
}
