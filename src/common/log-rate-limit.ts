/** How long a repeated cause stays quiet after its line: a lost database must not flood the log. */
export const LOG_REPEAT_INTERVAL_MS = 30_000;

const MAX_CAUSES = 1_000;

/**
 * One line per cause per interval. `admit(cause)` says whether to write the line now, and how many repeats of the
 * cause it swallowed since the last line (so the line can say "and 412 more like it"). Counts of a cause that stops
 * repeating are told with its next line, never on a timer of their own.
 */
export class LogRateLimiter {
  private readonly causes = new Map<string, { loggedAt: number; suppressed: number }>();

  constructor(
    private readonly intervalMs = LOG_REPEAT_INTERVAL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** `undefined`: drop the line; a number: write it, with that many repeats suppressed before it. */
  admit(cause: string): number | undefined {
    const now = this.now();
    const seen = this.causes.get(cause);
    if (seen && now - seen.loggedAt < this.intervalMs) {
      seen.suppressed += 1;
      return undefined;
    }
    if (!seen && this.causes.size >= MAX_CAUSES) this.forgetQuietCauses(now);
    this.causes.set(cause, { loggedAt: now, suppressed: 0 });
    return seen?.suppressed ?? 0;
  }

  // Causes may carry varying text (ports, keys): keep the map bounded by forgetting those past their interval.
  private forgetQuietCauses(now: number): void {
    for (const [cause, seen] of this.causes) if (now - seen.loggedAt >= this.intervalMs) this.causes.delete(cause);
    if (this.causes.size >= MAX_CAUSES) this.causes.clear();
  }
}

/** Nest's Logger through nestjs-pino (fields, then the message). */
interface FieldLogger {
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/**
 * Logs `message` with the error, unless the same message and cause were logged within the interval; the line that
 * is written says how many repeats it swallowed. For loops that fail every round while a dependency is away.
 */
export function logRepeating(limiter: LogRateLimiter, logger: FieldLogger, level: 'warn' | 'error', message: string, error: unknown): void {
  const cause = error as { code?: unknown; message?: unknown } | undefined;
  const suppressed = limiter.admit(`${level}|${message}|${String(cause?.code ?? '')}|${String(cause?.message ?? '')}`);
  if (suppressed === undefined) return;
  logger[level]({ err: error, ...(suppressed ? { suppressedRepeats: suppressed } : {}) }, message);
}
