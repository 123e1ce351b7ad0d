import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';

/**
 * Closes the gap when a model did not record a breach (no timer for that deadline, or a timer path that failed):
 * every open deadline past its due time is marked breached at its due time. An UPDATE of open rows only, so a
 * breach is never counted twice, whoever marks it first.
 */
@Injectable()
export class DeadlineSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DeadlineSweeper.name);
  private timer?: NodeJS.Timeout;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep().catch((error: unknown) => this.logger.error({ err: error }, 'deadline sweep failed')), this.config.SLA_SWEEP_SECONDS * 1000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Marks overdue open deadlines breached; returns how many this sweep marked. */
  async sweep(): Promise<number> {
    const [rows] = (await this.dataSource.query(
      `UPDATE deadline SET breached_at = due_at WHERE met_at IS NULL AND breached_at IS NULL AND due_at < $1 RETURNING id, type, subject_id`,
      [this.clock.now()],
    )) as [{ id: string; type: string; subject_id: string }[], number];
    if (rows.length) this.logger.warn({ deadlines: rows.map((r) => `${r.type} ${r.subject_id}`) }, `${rows.length} overdue deadline(s) marked breached by the sweeper`);
    return rows.length;
  }
}
