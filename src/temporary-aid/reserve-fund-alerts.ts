import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DateTime } from 'luxon';
import { randomUUID } from 'node:crypto';
import { Gauge } from 'prom-client';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { Role } from '../auth/roles';
import { yuan } from '../common/money';
import { DeadlinesService, workingDaysRule } from '../deadlines/deadlines.service';
import { Metrics } from '../metrics/metrics.service';
import { OutboxRepository } from '../outbox/outbox.repository';
import { PolicyProfiles } from '../policy/policy-profiles';
import { JobWorker } from '../workflow/job-worker.decorator';
import type { ScopedProcessVariables } from '../workflow/scoped-variables';

/** The contract of bpmn/reserve-fund-replenishment.bpmn. */
export const RESERVE_FUND_REPLENISHMENT_PROCESS_ID = 'reserve-fund-replenishment';
export const RESERVE_FUND_ALERT_SUBJECT = 'reserve-fund-alert';
export const RESERVE_FUND_MESSAGES = {
  /** Correlation key: alertId. Published (through the outbox) by the credit that closes the alert; ends the county's task. */
  replenished: 'reserve-fund.replenished',
} as const;
export const RESERVE_FUND_JOBS = {
  /** After the county completed its task: whether the alert is closed (replenished); if not, the task comes back. */
  checkReplenished: 'reserve-fund.check-replenished',
} as const;

export interface ReplenishmentStartVariables extends ScopedProcessVariables {
  alertId: string;
  townshipCode: string;
  countyCode: string;
  balanceFen: number;
  thresholdFen: number;
  /** For the form: yuan with two decimals. */
  balanceYuanText: string;
  thresholdYuanText: string;
  /** The task's due date (ISO 8601 UTC) and its text in Asia/Shanghai. */
  replenishDueAt: string;
  replenishDueText: string;
}

export interface ReserveFundAlert {
  id: string;
  townshipCode: string;
  countyCode: string;
  thresholdFen: number;
  balanceFen: number;
  profileVersionId: string;
  raisedAt: Date;
  closedAt: Date | null;
  closedBalanceFen: number | null;
}

/** What changed the fund, as `ReserveFundService` writes it. */
export interface FundChange {
  townshipCode: string;
  balanceAfterFen: number;
  entryId: string;
  at: Date;
  actor: { id: string; roles?: Role[] };
}

/**
 * The low-balance alert of a township reserve fund (`reserve_fund_alert`, owned here with the fund). After every change
 * of a fund, in the change's transaction and under the fund row's lock: a balance below the profile's
 * `reserveFundLowBalanceFen` with no open alert raises one — an alert row, an audit event, and through the outbox (after
 * the commit, never an engine call in the transaction) the county's replenishment task; a balance at or above it
 * closes the open alert, and the outbox tells the task it is done. The lock and a partial unique index keep one open
 * alert per fund, so a second debit raises nothing.
 */
@Injectable()
export class ReserveFundAlerts {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(PolicyProfiles) private readonly profiles: PolicyProfiles,
    private readonly deadlines: DeadlinesService,
    private readonly audit: AuditService,
    private readonly outbox: OutboxRepository,
    metrics: Metrics,
  ) {
    const query = () => this.gaugeRows();
    const low: Gauge<'township'> = new Gauge({
      name: 'doudi_reserve_fund_low',
      help: 'Township reserve funds with an open low-balance alert (balance below the profile\'s reserveFundLowBalanceFen): 1 per township while the alert is open, 0 once replenished',
      labelNames: ['township'] as const,
      registers: [metrics.registry],
      async collect() {
        low.reset();
        for (const row of await query()) low.set({ township: row.township }, row.open ? 1 : 0);
      },
    });
    const balance: Gauge<'township'> = new Gauge({
      name: 'doudi_reserve_fund_balance_fen',
      help: 'Balance of each township reserve fund, in fen',
      labelNames: ['township'] as const,
      registers: [metrics.registry],
      async collect() {
        balance.reset();
        for (const row of await query()) balance.set({ township: row.township }, row.balanceFen);
      },
    });
  }

  /** In the caller's transaction, the fund row locked: raises or closes the fund's alert after a change of its balance. */
  async afterChange(change: FundChange, manager: EntityManager): Promise<void> {
    // The profile in force where the fund is, on the day of the change: a missing one fails the change (a data problem).
    const profile = this.profiles.inForceAt(change.townshipCode, change.at);
    const threshold = profile.parameters.reserveFundLowBalanceFen.value;
    const open = await this.openAlert(change.townshipCode, manager);
    if (change.balanceAfterFen < threshold && !open) await this.raise(change, threshold, profile.versionId, manager);
    else if (change.balanceAfterFen >= threshold && open) await this.close(open, change, manager);
  }

  /** The alerts of a fund, newest first. */
  async forFund(townshipCode: string, manager: EntityManager = this.dataSource.manager): Promise<ReserveFundAlert[]> {
    const rows: Record<string, unknown>[] = await manager.query(`SELECT * FROM reserve_fund_alert WHERE township_code = $1 ORDER BY raised_at DESC, id`, [townshipCode]);
    return rows.map(toAlert);
  }

  /**
   * The county completed its replenishment task: done when the alert is closed (a credit lifted the fund to the
   * threshold), otherwise the model gives the task back. Reads only, so a repeated job answers the same.
   */
  @JobWorker(RESERVE_FUND_JOBS.checkReplenished)
  async checkReplenished(job: { jobKey: string; variables: Record<string, unknown> }): Promise<{ replenished: boolean }> {
    const id = String(job.variables.alertId);
    const [row]: { closed_at: Date | null }[] = await this.dataSource.query(`SELECT closed_at FROM reserve_fund_alert WHERE id = $1::uuid`, [id]);
    // Not a business outcome: an instance without its alert is a defect; the job fails and becomes an incident.
    if (!row) throw new Error(`reserve-fund alert ${id} of job ${job.jobKey} does not exist`);
    return { replenished: row.closed_at !== null };
  }

  private async openAlert(townshipCode: string, manager: EntityManager): Promise<ReserveFundAlert | undefined> {
    const [row]: Record<string, unknown>[] = await manager.query(`SELECT * FROM reserve_fund_alert WHERE township_code = $1 AND closed_at IS NULL`, [townshipCode]);
    return row ? toAlert(row) : undefined;
  }

  private async raise(change: FundChange, thresholdFen: number, profileVersionId: string, manager: EntityManager): Promise<void> {
    const id = randomUUID();
    const countyCode = change.townshipCode.slice(0, 6);
    await manager.query(
      `INSERT INTO reserve_fund_alert (id, township_code, county_code, threshold_fen, balance_fen, profile_version_id, raised_at, raised_by_entry_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [id, change.townshipCode, countyCode, thresholdFen, change.balanceAfterFen, profileVersionId, change.at, change.entryId],
    );
    await this.audit.record(
      { actor: change.actor, regionCode: change.townshipCode, action: 'reserve-fund.low-balance', subjectType: 'reserve-fund', subjectId: change.townshipCode, details: { alertId: id, balanceFen: change.balanceAfterFen, thresholdFen, entryId: change.entryId } },
      manager,
    );
    const rule = workingDaysRule('reserveFundReplenishmentWorkingDays', this.profiles.byVersionId(profileVersionId).parameters.reserveFundReplenishmentWorkingDays);
    const dueAt = this.deadlines.due(rule.computation, change.at);
    const variables: ReplenishmentStartVariables = {
      // The township is the finest region of a fund; the task's group is its county's civil-affairs office.
      regionCode: change.townshipCode,
      subjectType: RESERVE_FUND_ALERT_SUBJECT,
      subjectId: id,
      alertId: id,
      townshipCode: change.townshipCode,
      countyCode,
      balanceFen: change.balanceAfterFen,
      thresholdFen,
      balanceYuanText: yuan(change.balanceAfterFen),
      thresholdYuanText: yuan(thresholdFen),
      replenishDueAt: dueAt.toISOString(),
      replenishDueText: DateTime.fromJSDate(dueAt, { zone: 'Asia/Shanghai' }).toFormat('yyyy年M月d日 HH:mm'),
    };
    await this.outbox.enqueueStart(
      { processId: RESERVE_FUND_REPLENISHMENT_PROCESS_ID, businessKey: `${RESERVE_FUND_ALERT_SUBJECT}:${id}`, subjectType: RESERVE_FUND_ALERT_SUBJECT, subjectId: id, variables: { ...variables } },
      manager,
    );
  }

  private async close(alert: ReserveFundAlert, change: FundChange, manager: EntityManager): Promise<void> {
    await manager.query(`UPDATE reserve_fund_alert SET closed_at = $2, closed_by_entry_id = $3, closed_balance_fen = $4 WHERE id = $1`, [alert.id, change.at, change.entryId, change.balanceAfterFen]);
    await this.audit.record(
      { actor: change.actor, regionCode: change.townshipCode, action: 'reserve-fund.low-balance-closed', subjectType: 'reserve-fund', subjectId: change.townshipCode, details: { alertId: alert.id, balanceFen: change.balanceAfterFen, thresholdFen: alert.thresholdFen, entryId: change.entryId } },
      manager,
    );
    await this.outbox.enqueueMessage(
      { name: RESERVE_FUND_MESSAGES.replenished, correlationKey: alert.id, businessKey: `${RESERVE_FUND_ALERT_SUBJECT}:${alert.id}:replenished`, subjectType: RESERVE_FUND_ALERT_SUBJECT, subjectId: alert.id, variables: { replenishedBalanceFen: change.balanceAfterFen } },
      manager,
    );
  }

  private async gaugeRows(): Promise<{ township: string; balanceFen: number; open: boolean }[]> {
    const rows: { township_code: string; balance_fen: string; open: boolean }[] = await this.dataSource.query(
      `SELECT f.township_code, f.balance_fen, EXISTS (SELECT 1 FROM reserve_fund_alert a WHERE a.township_code = f.township_code AND a.closed_at IS NULL) AS open
       FROM reserve_fund f`,
    );
    return rows.map((r) => ({ township: r.township_code, balanceFen: Number(r.balance_fen), open: r.open }));
  }
}

function toAlert(r: Record<string, unknown>): ReserveFundAlert {
  return {
    id: String(r.id),
    townshipCode: r.township_code as string,
    countyCode: r.county_code as string,
    thresholdFen: Number(r.threshold_fen),
    balanceFen: Number(r.balance_fen),
    profileVersionId: r.profile_version_id as string,
    raisedAt: r.raised_at as Date,
    closedAt: (r.closed_at as Date | null) ?? null,
    closedBalanceFen: r.closed_balance_fen == null ? null : Number(r.closed_balance_fen),
  };
}
