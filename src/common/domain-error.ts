/**
 * An API outcome with a stable code: the HTTP layer answers it with `status` as problem+json; anything else is a
 * 500. In a job worker it is technical (retried, then an incident): only a `BusinessOutcome`
 * (src/workflow/job-outcome.ts) becomes a BPMN error the model catches.
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
