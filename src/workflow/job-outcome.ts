import { DomainError } from '../common/domain-error';
import { maskIdNumbersIn } from '../common/id-number';

/** The part of an activated SDK job a handler outcome needs. */
export interface JobActions<R> {
  retries: number;
  complete(variables?: Record<string, unknown>): Promise<R>;
  error(error: { errorCode: string; errorMessage?: string; variables?: Record<string, unknown> }): Promise<R>;
  fail(failure: { errorMessage: string; retries: number; retryBackOff: number }): Promise<R>;
}

/** Back-off before the engine offers a failed job again: 10 s, 20 s, 40 s … as retries run out, at most 10 min. */
export function retryBackOffMs(remainingRetries: number): number {
  return Math.min(600_000, 10_000 * 2 ** Math.max(0, 2 - remainingRetries));
}

/**
 * Runs a handler and acknowledges the job: completed with the handler's variables; a DomainError raises a BPMN
 * error with its code (the model decides); any other error fails the job with one retry fewer and a back-off,
 * which ends in an incident at zero retries.
 */
export async function settleJob<R>(job: JobActions<R>, handle: () => Promise<Record<string, unknown> | void>): Promise<R> {
  let variables: Record<string, unknown> | void;
  try {
    variables = await handle();
  } catch (error) {
    if (error instanceof DomainError) {
      return job.error({ errorCode: error.code, errorMessage: maskIdNumbersIn(error.message) });
    }
    const retries = Math.max(0, job.retries - 1);
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return job.fail({ errorMessage: maskIdNumbersIn(message).slice(0, 4000), retries, retryBackOff: retries > 0 ? retryBackOffMs(retries) : 0 });
  }
  return job.complete(variables ?? {});
}
