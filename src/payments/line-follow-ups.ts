import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DateTime } from 'luxon';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { isValidIdNumber, maskIdNumber } from '../common/id-number';
import { DeadlinesService } from '../deadlines/deadlines.service';
import { OutboxDispatcher } from '../outbox/outbox.dispatcher';
import { OutboxRepository } from '../outbox/outbox.repository';
import { PolicyProfiles } from '../policy/policy-profiles';
import { shanghaiDate } from '../policy/shanghai-date';
import { CAMUNDA_CLIENT, CamundaClient } from '../workflow/camunda-client';
import { taskCompletedAt } from '../workflow/engine-calls';
import { BusinessOutcome } from '../workflow/job-outcome';
import { JobWorker } from '../workflow/job-worker.decorator';
import { PayrollService, storeTotals } from './payroll.service';

export const FOLLOW_UP_PROCESS_ID = 'payment-line-follow-up';
export const FOLLOW_UP_DEADLINE = 'payment.line-follow-up';
export const FOLLOW_UP_SUBJECT = 'payroll-line';
const FOLLOW_UP_TASK = 'Task_follow_up';
const RESPONSIBLE = 'county-civil-affairs';
const WORKER = 'system:payment-worker';
export const FOLLOW_UP_OUTCOMES = ['account-checked', 'payee-corrected', 'stop'] as const;
type Outcome = (typeof FOLLOW_UP_OUTCOMES)[number];
/** Starts the bank-results request dispatches itself (a large file's rest go through the outbox loop, seconds later). */
const DISPATCH_NOW = 20;
/** Cycles whose payroll can still change: generated, but its data entry not confirmed (nothing has left for the bank). */
const CHANGEABLE_CYCLE = `status IN ('open', 'payroll-generated')`;

interface Job {
  jobKey: string;
  processInstanceKey: string;
  variables: Record<string, unknown>;
}

const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');

/**
 * The county follow-up of each bank line reported failed or returned (issue 16, bpmn/payment-line-follow-up.bpmn):
 * opened in the results' transaction (a row, a deadline and an outbox start per line, once), decided by the county.
 * The deadline is the next cycle's data day (the profile's `paymentCalendar.dataByDay`): the day the county enters
 * the next payroll, re-issue included, in the one-card system, so the outcome must be known by then.
 */
@Injectable()
export class LineFollowUps {
  private readonly logger = new Logger(LineFollowUps.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(PolicyProfiles) private readonly profiles: PolicyProfiles,
    private readonly deadlines: DeadlinesService,
    private readonly outbox: OutboxRepository,
    private readonly dispatcher: OutboxDispatcher,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @Inject(CAMUNDA_CLIENT) private readonly camunda: CamundaClient,
    payroll: PayrollService,
  ) {
    payroll.useFollowUps(this);
  }

  /**
   * In the results' transaction: a follow-up for every failed or returned line of the cycle that has none (so a
   * repeat starts nothing), its deadline and its start command. Returns the outbox ids, to dispatch after the commit.
   */
  async startFor(cycleId: string, manager: EntityManager, at: Date = this.clock.now()): Promise<string[]> {
    const [cycle] = await manager.query(`SELECT county_code, to_char(month, 'YYYY-MM') AS month FROM payment_cycle WHERE id = $1`, [cycleId]);
    const next = DateTime.fromISO(`${cycle.month}-01`).plus({ months: 1 }).toFormat('yyyy-MM');
    // The next cycle's calendar, as openCycle will fix it: the profile in force for that month.
    const cited = this.profiles.inForce(this.profiles.profileFor(cycle.county_code).id, `${next}-01`).parameters.paymentCalendar;
    const computation = { kind: 'day-in-month', month: next, day: cited.value.dataByDay, direction: cited.value.holidayDirection } as const;
    const dueAt = this.deadlines.due(computation, at);
    const lines: Record<string, unknown>[] = await manager.query(
      `INSERT INTO payroll_line_follow_up (line_id, cycle_id, case_id, request_id, instalment, benefit_month, county_code, bank_result, created_at, due_at)
       SELECT l.id, l.cycle_id, l.case_id, l.request_id, l.instalment, l.benefit_month, $2, l.status, $3, $4
       FROM payroll_line l WHERE l.cycle_id = $1 AND l.status IN ('failed', 'returned') ORDER BY l.id
       ON CONFLICT (line_id) DO NOTHING
       RETURNING line_id::text, bank_result`,
      [cycleId, cycle.county_code, at, dueAt],
    );
    if (!lines.length) return [];
    const details: Record<string, unknown>[] = await manager.query(
      `SELECT id::text, to_char(benefit_month, 'YYYY-MM') AS benefit_month, amount_fen, payee_name, payee_id_number, coalesce(bank_message, '') AS bank_message, kind
       FROM payroll_line WHERE id = ANY($1::bigint[]) ORDER BY id`,
      [lines.map((l) => l.line_id)],
    );
    const ids: string[] = [];
    for (const l of details) {
      const lineId = l.id as string;
      await this.deadlines.open(
        {
          type: FOLLOW_UP_DEADLINE, subjectType: FOLLOW_UP_SUBJECT, subjectId: lineId, regionCode: cycle.county_code, responsibleGroup: RESPONSIBLE,
          rule: `paymentCalendar.dataByDay = ${cited.value.dataByDay} of ${next} (the next cycle's data day), ${cited.value.holidayDirection} working day`,
          source: cited.source.document, startedAt: at, computation,
        },
        manager,
      );
      const amountFen = Number(l.amount_fen);
      const result = lines.find((x) => x.line_id === lineId)!.bank_result as string;
      ids.push(
        await this.outbox.enqueueStart(
          {
            processId: FOLLOW_UP_PROCESS_ID,
            businessKey: `${FOLLOW_UP_SUBJECT}:${lineId}`,
            subjectType: FOLLOW_UP_SUBJECT,
            subjectId: lineId,
            // The payee's ID number only masked: the task shows it to the county, the engine keeps it.
            variables: {
              regionCode: cycle.county_code, subjectType: FOLLOW_UP_SUBJECT, subjectId: lineId, countyCode: cycle.county_code, cycleId, lineId,
              benefitMonth: l.benefit_month, kind: l.kind, amountFen, amountYuan: `${Math.floor(amountFen / 100)}.${String(amountFen % 100).padStart(2, '0')}`,
              payeeName: l.payee_name, payeeIdNumberMasked: maskIdNumber(l.payee_id_number as string),
              bankResult: result, bankResultLabel: result === 'failed' ? '支付失败 failed' : '退回 returned', bankMessage: l.bank_message, followUpDueAt: dueAt.toISOString(), followUpDueDate: shanghaiDate(dueAt),
            },
          },
          manager,
        ),
      );
    }
    return ids;
  }

  /**
   * After the commit, without holding up the bank's answer: the first few starts at once, one after the other, until
   * one is not done in time (the engine is slow or down); the rest are the outbox loop's.
   */
  dispatch(outboxIds: string[]): void {
    const ids = outboxIds.slice(0, DISPATCH_NOW);
    void (async () => {
      for (const id of ids) if ((await this.dispatcher.dispatchNow(id)) === null) return;
    })().catch((error: unknown) => this.logger.warn(`follow-up starts left to the outbox loop: ${(error as Error).message}`));
  }

  /**
   * The county's outcome, recorded once with its audit row and the deadline met at the task's completion. A job run
   * again finds it recorded and changes nothing. Technical trouble (no row, an unknown outcome) fails the job; only a
   * corrected ID number that fails its check character is the model's business outcome `invalid-payee`.
   */
  @JobWorker('payments.apply-follow-up')
  async apply(job: Job): Promise<{ followUpApplied: Outcome }> {
    const lineId = String(job.variables.lineId);
    const decided = await this.decidedOutcome(lineId, this.dataSource.manager);
    if (decided) return { followUpApplied: decided };
    const outcome = text(job.variables.followUpOutcome) as Outcome;
    if (!FOLLOW_UP_OUTCOMES.includes(outcome)) throw new Error(`follow-up of line ${lineId}: unknown outcome "${outcome}"`);
    const payee = { name: text(job.variables.correctedPayeeName), idNumber: text(job.variables.correctedPayeeIdNumber), note: text(job.variables.correctedAccountNote) };
    const stopReason = text(job.variables.stopReason);
    if (outcome === 'payee-corrected') {
      if (!payee.name || !payee.idNumber) throw new Error(`follow-up of line ${lineId}: payee-corrected without a name and ID number`);
      if (!isValidIdNumber(payee.idNumber)) throw new BusinessOutcome('invalid-payee', `收款人身份证号 ${maskIdNumber(payee.idNumber)} 校验不通过 the corrected payee's ID number fails its check`);
    }
    if (outcome === 'stop' && !stopReason) throw new Error(`follow-up of line ${lineId}: stop without a reason`);
    const decidedAt = (await taskCompletedAt(this.camunda, String(job.processInstanceKey), FOLLOW_UP_TASK)) ?? this.clock.now();

    return this.dataSource.transaction(async (manager) => {
      const [row] = await manager.query(`SELECT *, to_char(benefit_month, 'YYYY-MM') AS month FROM payroll_line_follow_up WHERE line_id = $1 FOR UPDATE`, [lineId]);
      if (!row) throw new Error(`no follow-up of payroll line ${lineId}`);
      if (row.outcome) return { followUpApplied: row.outcome as Outcome };
      const corrected = outcome === 'payee-corrected';
      await manager.query(
        `UPDATE payroll_line_follow_up SET outcome = $2, decided_at = $3, payee_name = $4, payee_id_number = $5, account_note = $6, stop_reason = $7 WHERE line_id = $1`,
        [lineId, outcome, decidedAt, corrected ? payee.name : null, corrected ? payee.idNumber : null, corrected ? payee.note || null : null, outcome === 'stop' ? stopReason : null],
      );
      const pendingLines = corrected ? await this.repointPending(row, payee, manager) : outcome === 'stop' ? await this.withdrawPending(row, manager) : [];
      await this.deadlines.meet(FOLLOW_UP_SUBJECT, lineId, [FOLLOW_UP_DEADLINE], decidedAt, manager);
      await this.audit.record(
        {
          actor: { id: WORKER },
          regionCode: row.county_code,
          action: 'payments.follow-up-decided',
          subjectType: FOLLOW_UP_SUBJECT,
          subjectId: lineId,
          details: {
            outcome, cycleId: row.cycle_id, caseId: row.case_id, requestId: row.request_id, instalment: row.instalment, benefitMonth: row.month, bankResult: row.bank_result,
            ...(corrected ? { payeeName: payee.name, payeeIdNumber: maskIdNumber(payee.idNumber), accountNote: payee.note || null } : {}),
            ...(outcome === 'stop' ? { stopReason } : {}),
            note: text(job.variables.followUpNote) || null,
            // Re-issue lines already generated, not yet entered: re-pointed to the corrected payee, or withdrawn.
            pendingLines,
          },
        },
        manager,
      );
      return { followUpApplied: outcome };
    });
  }

  /** The follow-up's deadline passed with the task open: breached and escalated once (the task stays the county's). */
  @JobWorker('payments.follow-up-breach')
  async overdue(job: Job): Promise<Record<string, never>> {
    const lineId = String(job.variables.lineId);
    await this.dataSource.transaction(async (manager) => {
      if (await this.deadlines.breach(FOLLOW_UP_SUBJECT, lineId, FOLLOW_UP_DEADLINE, this.clock.now(), manager)) {
        await this.audit.record({ actor: { id: WORKER }, regionCode: String(job.variables.countyCode), action: 'payments.follow-up-overdue', subjectType: FOLLOW_UP_SUBJECT, subjectId: lineId, details: { deadline: FOLLOW_UP_DEADLINE } }, manager);
      }
    });
    return {};
  }

  private async decidedOutcome(lineId: string, manager: EntityManager): Promise<Outcome | undefined> {
    const [row] = await manager.query(`SELECT outcome FROM payroll_line_follow_up WHERE line_id = $1`, [lineId]);
    return (row?.outcome as Outcome | null) ?? undefined;
  }

  /** The subject's unsettled lines in cycles whose payroll can still change now pay the corrected payee. */
  private async repointPending(row: Record<string, unknown>, payee: { name: string; idNumber: string }, manager: EntityManager): Promise<string[]> {
    const [lines] = (await manager.query(
      `UPDATE payroll_line l SET payee_name = $3, payee_id_number = $4 FROM payment_cycle pc
       WHERE pc.id = l.cycle_id AND pc.${CHANGEABLE_CYCLE} AND l.status = 'issued'
         AND (l.case_id = $1 OR l.request_id = $2) RETURNING l.id::text`,
      [row.case_id, row.request_id, payee.name, payee.idNumber],
    )) as [{ id: string }[], number];
    return lines.map((l) => l.id);
  }

  /** The stopped month's (or instalment's) re-issue, if generated in a cycle that can still change, leaves it. */
  private async withdrawPending(row: Record<string, unknown>, manager: EntityManager): Promise<string[]> {
    const [lines] = (await manager.query(
      `DELETE FROM payroll_line l USING payment_cycle pc
       WHERE pc.id = l.cycle_id AND pc.${CHANGEABLE_CYCLE} AND l.status = 'issued' AND l.id <> $1
         AND (l.case_id = $2 AND l.benefit_month = $3::date OR l.request_id = $4 AND l.instalment = $5) RETURNING l.id::text, l.cycle_id::text`,
      [row.line_id, row.case_id, `${row.month as string}-01`, row.request_id, row.instalment],
    )) as [{ id: string; cycle_id: string }[], number];
    for (const cycleId of new Set(lines.map((l) => l.cycle_id))) await storeTotals(cycleId, manager);
    return lines.map((l) => l.id);
  }
}
