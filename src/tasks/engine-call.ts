import { DomainError } from '../common/domain-error';

/** Reads answer from what the engine knows now; a real cluster's search side may lag a moment behind. */
export const NOW = { consistency: { waitUpToMs: 0 } };

export function taskNotFound(key: string): DomainError {
  return new DomainError('task-not-found', `user task ${key} not found`, 404);
}

/**
 * Runs an engine call for the task API: a 404 of the task (when `taskKey` is given) is task-not-found, a 409 a
 * conflict; no answer, 5xx or 429 is engine-unavailable (503); other refusals pass as they are.
 */
export async function engineCall<T>(call: () => PromiseLike<T>, taskKey?: string): Promise<T> {
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
