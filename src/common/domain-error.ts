/**
 * A business outcome with a stable code. The HTTP layer answers it with `status` as problem+json; a job worker
 * turns it into a BPMN error with the same code, which the model can catch. Anything that is not a DomainError
 * is technical: a 500 in the API, a failed (retried) job in a worker.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 422,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
