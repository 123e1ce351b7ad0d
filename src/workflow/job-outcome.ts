import { DomainError } from '../common/domain-error';
import { maskIdNumbersIn } from '../common/id-number';
import { CalendarDataError, CalendarError, OutsideCalendarError } from '../policy/holiday-calendar';
import { PolicyError } from '../policy/policy-profiles';

/** The part of an activated SDK job a handler outcome needs. */
export interface JobActions<R> {
  retries: number;
  complete(variables?: Record<string, unknown>): Promise<R>;
  /** A user-task listener's job: completed with its verdict (Camunda 8.8 refuses variables on a listener's job). */
  completeListener(verdict: ListenerVerdict): Promise<R>;
  error(error: { errorCode: string; errorMessage?: string; variables?: Record<string, unknown> }): Promise<R>;
  fail(failure: { errorMessage: string; retries: number; retryBackOff: number }): Promise<R>;
}

/** Back-off before the engine offers a failed job again: 10 s, 20 s, 40 s … as retries run out, at most 10 min. */
export function retryBackOffMs(remainingRetries: number): number {
  return Math.min(600_000, 10_000 * 2 ** Math.max(0, 2 - remainingRetries));
}

/**
 * A declared business outcome of a worker, which the model catches as a BPMN error with this code (e.g. a
 * boundary error event `errorCode="…"`). The only error a worker turns into a BPMN error: a DomainError is the
 * API's (an HTTP status), and inside a worker it is technical — retried, then an incident — because no model
 * catches it (a 503 `engine-unavailable` from a service a worker calls must be retried, not thrown into the model).
 */
export class BusinessOutcome extends Error {
  override name = 'BusinessOutcome';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * What a user-task listener (`zeebe:taskListener`) answers: the transition (assignment, completion) goes on, or is
 * denied with a reason the engine hands back to whoever asked for it (Tasklist, our API, any client).
 */
export class ListenerVerdict {
  private constructor(
    readonly denied: boolean,
    readonly deniedReason?: string,
  ) {}

  static accept(): ListenerVerdict {
    return new ListenerVerdict(false);
  }

  static deny(reason: string): ListenerVerdict {
    return new ListenerVerdict(true, maskIdNumbersIn(reason).slice(0, MAX_MESSAGE));
  }
}

/**
 * How a handler's error settles its job:
 * - `business`: a BusinessOutcome, a declared outcome; a BPMN error with its code, for the model to catch.
 * - `data`: the policy or calendar data cannot answer (a year without holiday data, no profile version in force).
 *   Retrying cannot fix that, so the job fails with no retries and the incident says why, in words a supervisor reads.
 * - `technical`: anything else; retried with back-off, as the cause may pass (a connection, a lock).
 */
export type JobFailure =
  | { kind: 'business'; errorCode: string; errorMessage: string }
  | { kind: 'data'; reason: string; errorMessage: string }
  | { kind: 'technical'; errorMessage: string };

/** DomainError codes that name missing reference data rather than an outcome of the case. */
const DATA_PROBLEM_CODES = new Set(['no-profile-in-force']);
/** Between the plain reason and the original message in a data problem's errorMessage. */
const REASON_END = ': ';
const MAX_MESSAGE = 4000;

export function classifyJobFailure(error: unknown): JobFailure {
  const reason = dataProblemReason(error);
  if (reason) return { kind: 'data', reason, errorMessage: clip(`${reason}${REASON_END}${messageOf(error)}`) };
  if (error instanceof BusinessOutcome) return { kind: 'business', errorCode: error.code, errorMessage: maskIdNumbersIn(error.message) };
  return { kind: 'technical', errorMessage: clip(error instanceof Error ? `${error.name}: ${error.message}` : String(error)) };
}

/** The plain reason of a data problem, Chinese then English, or undefined; the error's `cause` chain is searched too. */
function dataProblemReason(error: unknown, depth = 0): string | undefined {
  if (error instanceof OutsideCalendarError) {
    const year = error.date.slice(0, 4);
    return `节假日日历未覆盖 ${error.date}（缺少 ${year} 年度数据）The holiday calendar does not cover ${error.date} (no data for ${year})`;
  }
  if (error instanceof CalendarDataError) return '节假日日历数据无效 The holiday calendar data is invalid';
  if (error instanceof CalendarError) return '节假日日历无法算出该日期 The holiday calendar cannot compute this date';
  if (error instanceof PolicyError || (error instanceof DomainError && DATA_PROBLEM_CODES.has(error.code))) {
    return '没有适用的政策参数版本 No policy profile version applies';
  }
  const cause = (error as { cause?: unknown } | null)?.cause;
  return cause !== undefined && depth < 5 ? dataProblemReason(cause, depth + 1) : undefined;
}

const INCIDENT_REASONS: Record<string, string> = {
  JOB_NO_RETRIES: '任务多次重试仍失败（技术故障）The job failed on every retry (a technical fault)',
  UNHANDLED_ERROR_EVENT: '业务错误未被流程捕获 A business error the model does not catch',
  IO_MAPPING_ERROR: '流程变量映射出错 A variable mapping of the model failed',
  EXTRACT_VALUE_ERROR: '流程表达式无法求值 An expression of the model cannot be evaluated',
  CONDITION_ERROR: '流程分支条件出错 No branch condition of the model holds or one fails',
  CALLED_ELEMENT_ERROR: '无法启动被调用的流程 The called process cannot be started',
  FORM_NOT_FOUND: '任务表单未部署 The task form is not deployed',
  MESSAGE_SIZE_EXCEEDED: '流程变量过大 The process variables are too large',
};

/**
 * The plain reason of an engine incident, Chinese then English: the reason our worker put at the head of a data
 * problem's message (recognised by its Chinese start), else one by the incident's type.
 */
export function incidentReason(errorType: string | undefined, errorMessage: string | undefined): string {
  const end = errorMessage?.indexOf(REASON_END) ?? -1;
  if (errorType === 'JOB_NO_RETRIES' && errorMessage && /^\p{Script=Han}/u.test(errorMessage) && end > 0) return errorMessage.slice(0, end);
  return INCIDENT_REASONS[errorType ?? ''] ?? `流程故障 An engine incident (${errorType ?? 'UNKNOWN'})`;
}

/**
 * Runs a handler and acknowledges the job: completed with the handler's variables, or settled by the error's
 * `classifyJobFailure`: a BPMN error, a failure with no retries (an incident at once), or a failure with one retry
 * fewer and a back-off, which ends in an incident at zero retries.
 */
export async function settleJob<R>(job: JobActions<R>, handle: () => Promise<Record<string, unknown> | ListenerVerdict | void>): Promise<R> {
  let variables: Record<string, unknown> | ListenerVerdict | void;
  try {
    variables = await handle();
  } catch (error) {
    const failure = classifyJobFailure(error);
    if (failure.kind === 'business') return job.error({ errorCode: failure.errorCode, errorMessage: failure.errorMessage });
    if (failure.kind === 'data') return job.fail({ errorMessage: failure.errorMessage, retries: 0, retryBackOff: 0 });
    const retries = Math.max(0, job.retries - 1);
    return job.fail({ errorMessage: failure.errorMessage, retries, retryBackOff: retries > 0 ? retryBackOffMs(retries) : 0 });
  }
  if (variables instanceof ListenerVerdict) return job.completeListener(variables);
  return job.complete(variables ?? {});
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function clip(message: string): string {
  return maskIdNumbersIn(message).slice(0, MAX_MESSAGE);
}
