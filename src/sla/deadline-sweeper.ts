import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { LogRateLimiter, logRepeating } from '../common/log-rate-limit';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { DeadlinesService } from '../deadlines/deadlines.service';

/**
 * Closes the gap when a model did not record a breach (no timer for that deadline, or a timer path that failed):
 * every open deadline past its due time is marked breached at its due time. An UPDATE of open rows only, so a
 * breach is never counted twice, whoever marks it first.
 *
 * Safe in every replica at once, with no lock of its own: the sweep is one `UPDATE … WHERE breached_at IS NULL …
 * RETURNING` statement. Of two sweeps racing for a row, the second waits for the first's row lock and then finds the
 * row breached (PostgreSQL re-checks the condition on the row's new version), so each row is marked, and returned,
 * by exactly one sweep. The sweep only marks: it publishes nothing and writes no audit or timeline row, so there is
 * nothing a replica could do twice. The escalation of a breach (county follow-up, timeline, audit) belongs to the
 * model's timer and its job, which the engine hands to one worker, and `DeadlinesService.breach` lets one caller
 * escalate a deadline once.
 */
@Injectable()
export class DeadlineSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DeadlineSweeper.name);
  // While the database is away this fails every round: one line per cause per interval.
  private readonly repeats = new LogRateLimiter();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly deadlines: DeadlinesService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep().catch((error: unknown) => logRepeating(this.repeats, this.logger, 'error', 'deadline sweep failed', error)), this.config.SLA_SWEEP_SECONDS * 1000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Marks overdue open deadlines breached; returns how many this sweep marked. */
  async sweep(): Promise<number> {
    const rows = await this.deadlines.sweepOverdue(this.clock.now());
    if (rows.length) this.logger.warn({ deadlines: rows.map((r) => `${r.type} ${r.subjectId}`) }, `${rows.length} overdue deadline(s) marked breached by the sweeper`);
    return rows.length;
  }
}
