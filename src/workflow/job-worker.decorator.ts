import { SetMetadata } from '@nestjs/common';

export const JOB_WORKER = 'doudi:job-worker';

export interface JobWorkerOptions {
  /** The `zeebe:taskDefinition` type this method handles. */
  type: string;
  /** How long the engine locks an activated job for this worker. */
  timeoutMs?: number;
  maxParallelJobs?: number;
  /** Variables to fetch; all when omitted. */
  fetchVariables?: string[];
}

/**
 * Declares a provider method as the job worker of a service-task type. The method receives the job and returns
 * the variables to complete it with; a BusinessOutcome (job-outcome.ts) becomes a BPMN error, a policy or calendar data problem an
 * incident at once (no retries), anything else a retried failure.
 */
export const JobWorker = (options: JobWorkerOptions | string) =>
  SetMetadata(JOB_WORKER, typeof options === 'string' ? { type: options } : options);
