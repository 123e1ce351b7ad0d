import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DateTime } from 'luxon';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { yuan } from '../common/money';
import { DeadlinesService } from '../deadlines/deadlines.service';
import { DibaoRepository } from '../dibao/dibao.repository';
import { dateText, deathTerminationText, remediesOf } from '../dibao/notices';
import { PolicyProfiles } from '../policy/policy-profiles';
import { RegionRegistry } from '../regions/region-registry';
import { JobWorker } from '../workflow/job-worker.decorator';
import { CAMUNDA_CLIENT, CamundaClient } from '../workflow/camunda-client';
import { publishOnce, taskCompletedAt } from '../workflow/engine-calls';
import { DeathRecordsService } from './death-records.service';
import { type PaymentCycle, PayrollService } from './payroll.service';

/** Correlation key: caseId. Starts bpmn/dibao-recalculation.bpmn for a household with living members left. */
export const MEMBER_DIED_MESSAGE = 'dibao.member-died';
const MEMBER_DIED_TTL_MS = 24 * 3600 * 1000;

interface Job {
  jobKey: string;
  processInstanceKey: string;
  variables: Record<string, unknown>;
}

const WORKER = 'system:payment-worker';
export const PAYMENT_CYCLE_SUBJECT = 'payment-cycle';
/** bpmn/monthly-payment-cycle.bpmn: one county, one month. */
export const PAYMENT_CYCLE_PROCESS_ID = 'monthly-payment-cycle';
/** The cycle calendar's entry of each payment deadline. */
const CYCLE_STEPS: Record<string, 'dataBy' | 'fundsBy' | 'creditedBy'> = { 'payment.data': 'dataBy', 'payment.funds': 'fundsBy', 'payment.credited': 'creditedBy' };

/** Each step's deadline: its type, who must act, the date in the cycle's calendar, and the status it leads to. */
/** Each recorded step: its deadline, the cycle status it sets and the user task whose completion is the act. */
const STEPS = {
  'data-entered': { deadline: 'payment.data', status: 'data-entered', task: 'Task_data_entered' },
  'funds-transferred': { deadline: 'payment.funds', status: 'funds-transferred', task: 'Task_funds_transferred' },
  // The bank's results arrive by message: the act is the reconciliation this job follows at once.
  reconciled: { deadline: 'payment.credited', status: 'reconciled', task: undefined },
} as const;

/**
 * The service tasks of bpmn/monthly-payment*.bpmn. Idempotent: the cycle is unique per county and month, the payroll
 * unique per beneficiary, month and attempt, deadlines open once and close once.
 */
@Injectable()
export class PaymentWorkers {
  constructor(
    private readonly payroll: PayrollService,
    private readonly cases: DibaoRepository,
    private readonly deathRecords: DeathRecordsService,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(PolicyProfiles) private readonly profiles: PolicyProfiles,
    private readonly deadlines: DeadlinesService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @Inject(CAMUNDA_CLIENT) private readonly camunda: CamundaClient,
    private readonly regions: RegionRegistry,
  ) {
    // Dibao asks the payroll which months a change of benefit can still reach (it may not import payments).
    this.cases.usePayrollMonths((countyCode, manager) => this.payroll.lastGeneratedMonth(countyCode, manager));
    // A cycle's calendar follows its deadlines when a holiday notice re-times them.
    this.deadlines.onRetime(async (deadline, manager) => {
      const step = deadline.subjectType === PAYMENT_CYCLE_SUBJECT ? CYCLE_STEPS[deadline.type] : undefined;
      if (step) await this.payroll.moveCycleDeadline(deadline.subjectId, step, deadline.to, manager);
    });
  }

  /**
   * The month the latest timer start was meant for (the month after the last `cycleStartDay`, Asia/Shanghai), so a
   * start that fires late still pays that month and none is skipped; and the counties with a benefit running in it.
   */
  @JobWorker('payments.list-counties')
  async listCounties(job: Job): Promise<{ month: string; counties: string[] }> {
    const now = DateTime.fromJSDate(this.clock.now(), { zone: 'Asia/Shanghai' });
    const startDay = Number(job.variables.cycleStartDay);
    const month = (now.day >= startDay ? now : now.minus({ months: 1 })).plus({ months: 1 }).toFormat('yyyy-MM');
    return { month, counties: await this.cases.countiesWithBenefitIn(month) };
  }

  /** The cycle of the county and month, with its calendar; its three deadlines opened. */
  @JobWorker('payments.open-cycle')
  async openCycle(job: Job) {
    const countyCode = String(job.variables.countyCode);
    const cycle = await this.payroll.openCycle(countyCode, String(job.variables.month), this.clock.now());
    // One instance runs a county-month: the 25th's timer and a manual run may both have started one (README
    // "Running a payment cycle by hand"). The first to get here keeps it; a later one ends at Gateway_run_here,
    // unless the first was cancelled (then this one resumes the cycle).
    const own = String(job.processInstanceKey);
    let runner = await this.payroll.claimCycleInstance(cycle.id, own);
    if (runner !== own && (await this.instanceState(runner)) === 'TERMINATED') runner = await this.payroll.claimCycleInstance(cycle.id, own, runner);
    if (runner !== own) return { cycleId: cycle.id, cycleRunElsewhere: true };
    const profile = this.profiles.byVersionId(cycle.profileVersionId);
    const cited = profile.parameters.paymentCalendar;
    const startedAt = this.clock.now();
    await this.dataSource.transaction(async (manager) => {
      for (const [type, group, day, variable] of [
        ['payment.data', 'county-civil-affairs', cited.value.dataByDay, 'dataDueAt'],
        ['payment.funds', 'county-finance', cited.value.fundsByDay, 'fundsDueAt'],
        ['payment.credited', 'bank', cited.value.creditedByDay, 'creditedDueAt'],
      ] as const) {
        if (await this.deadlines.exists(PAYMENT_CYCLE_SUBJECT, cycle.id, type, manager)) continue;
        await this.deadlines.open(
          {
            type, subjectType: PAYMENT_CYCLE_SUBJECT, subjectId: cycle.id, regionCode: countyCode, responsibleGroup: group,
            rule: `paymentCalendar day ${day}, ${cited.value.holidayDirection} working day`, source: cited.source.document, startedAt,
            computation: { kind: 'day-in-month', month: cycle.month, day, direction: cited.value.holidayDirection, timers: [{ variable }] },
          },
          manager,
        );
      }
    });
    return {
      cycleId: cycle.id,
      cycleRunElsewhere: false,
      regionCode: countyCode,
      subjectType: PAYMENT_CYCLE_SUBJECT,
      subjectId: cycle.id,
      // What the step forms show (bpmn/forms/payment-step.form): 修武县（410821） 2026年12月.
      countyLabel: await this.regions.label(countyCode),
      monthText: DateTime.fromISO(cycle.month, { zone: 'Asia/Shanghai' }).toFormat('yyyy年M月'),
      ...this.dueVariables(cycle),
    };
  }

  /**
   * ACTIVE, COMPLETED or TERMINATED; an instance the engine does not know (yet: a cluster's search lags) counts as
   * running, so a cycle is never run twice on a guess.
   */
  private async instanceState(processInstanceKey: string): Promise<string> {
    try {
      const instance = await this.camunda.getProcessInstance({ processInstanceKey: processInstanceKey as never }, { consistency: { waitUpToMs: 0 } });
      return String(instance.state);
    } catch {
      return 'ACTIVE';
    }
  }

  /**
   * The monthly comparison with the death records (seed 004). Each member found is marked with the date of death and
   * is no longer paid. A household with nobody left ends from the month after the death, with a written notice; a
   * larger one is recalculated after hearing the family (the message starts bpmn/dibao-recalculation.bpmn).
   */
  @JobWorker('payments.check-deaths')
  async checkDeaths(job: Job): Promise<{ deathsFound: number }> {
    const countyCode = String(job.variables.countyCode);
    const now = this.clock.now();
    const deathsFound = await this.dataSource.transaction(async (manager) => {
      const idNumbers = await this.cases.livingEnrolledIdNumbers(countyCode, manager);
      const found = await this.cases.markDied(countyCode, await this.deathRecords.deathsAmong(idNumbers, manager), manager);
      for (const death of found) {
        const c = (await this.cases.findCase(death.caseId, manager, true))!;
        await this.cases.event(c.id, 'member-died', now, WORKER, { memberId: death.memberId, diedOn: death.diedOn }, manager);
        await this.audit.record({ actor: { id: WORKER }, regionCode: c.regionCode, action: 'dibao.member-died', subjectType: 'dibao-case', subjectId: c.id, details: { memberId: death.memberId } }, manager);
        if ((await this.cases.members(c.id, manager)).some((m) => !m.diedOn)) continue;
        // Nobody left: the benefit ends with the month of the death (paid up to it, not after).
        const untilMonth = DateTime.fromISO(death.diedOn, { zone: 'Asia/Shanghai' }).plus({ months: 1 }).startOf('month').toISODate()!;
        await this.cases.endEnrolment(c.id, untilMonth, manager);
        await this.cases.update(c.id, { status: 'terminated', decided_at: now }, manager);
        const text = deathTerminationText({ applicantName: c.applicantName, caseNumber: c.caseNumber, deceasedName: death.name, diedOn: death.diedOn, untilMonth, remedies: remediesOf(this.profiles.byVersionId(c.profileVersionId!), await this.regions.countyOf(c.townshipCode)) });
        await this.cases.insertNotice(c.id, 'termination', text, now, null, `${job.jobKey}:${c.id}`, manager);
      }
      return found.length;
    });
    // Every death in a household with members left whose recalculation has not been done: also those a failed
    // earlier run of this job found (the message id keeps a repeated publication from starting a second one).
    for (const p of await this.cases.deathsAwaitingRecalculation(countyCode)) {
      const hearingDueAt = this.deadlines.due({ kind: 'working-days', days: this.profiles.byVersionId(p.profileVersionId).parameters.hearingWorkingDays.value }, now);
      const r = { caseId: p.caseId, memberId: p.memberId, regionCode: p.regionCode, deceasedName: p.name, diedOn: p.diedOn, hearingDueAt: hearingDueAt.toISOString() };
      await publishOnce(this.camunda, {
        name: MEMBER_DIED_MESSAGE,
        correlationKey: r.caseId,
        messageId: `${r.caseId}:${r.memberId}`,
        timeToLiveMs: MEMBER_DIED_TTL_MS,
        variables: { caseId: r.caseId, regionCode: r.regionCode, subjectType: 'dibao-case', subjectId: r.caseId, deceasedMemberId: r.memberId, deceasedName: r.deceasedName, diedOn: r.diedOn, diedOnText: dateText(r.diedOn), hearingDueAt: r.hearingDueAt },
      });
    }
    return { deathsFound };
  }

  @JobWorker('payments.generate-payroll')
  async generatePayroll(job: Job): Promise<{ lineCount: number; totalFen: number; totalYuan: string }> {
    const totals = await this.payroll.generate(String(job.variables.cycleId));
    await this.audit.record({ actor: { id: WORKER }, regionCode: String(job.variables.countyCode), action: 'payments.payroll-generated', subjectType: PAYMENT_CYCLE_SUBJECT, subjectId: String(job.variables.cycleId), details: totals });
    return { ...totals, totalYuan: yuan(totals.totalFen) };
  }

  /** A step done: its deadline met (a breached one stays breached), the cycle's status moved on. */
  /** A step done; answers the cycle's due instants as they stand now, so the next step's timer waits on a moved one. */
  @JobWorker('payments.record-step')
  async recordStep(job: Job): Promise<{ dataDueAt: string; fundsDueAt: string; creditedDueAt: string }> {
    const step = STEPS[String(job.variables.step) as keyof typeof STEPS];
    if (!step) throw new Error(`unknown payment step ${String(job.variables.step)}`);
    const cycleId = String(job.variables.cycleId);
    const actedAt = (step.task && (await taskCompletedAt(this.camunda, String(job.processInstanceKey), step.task))) || this.clock.now();
    await this.dataSource.transaction(async (manager) => {
      await this.deadlines.meet(PAYMENT_CYCLE_SUBJECT, cycleId, [step.deadline], actedAt, manager);
      const moved: unknown[] = await manager.query(`UPDATE payment_cycle SET status = $2 WHERE id = $1 AND status <> $2 RETURNING id`, [cycleId, step.status]);
      if (moved.length) {
        await this.audit.record({ actor: { id: WORKER }, regionCode: String(job.variables.countyCode), action: `payments.${step.status}`, subjectType: PAYMENT_CYCLE_SUBJECT, subjectId: cycleId, details: {} }, manager);
      }
    });
    return this.dueVariables((await this.payroll.cycle(cycleId))!);
  }

  private dueVariables(cycle: PaymentCycle) {
    return {
      dataDueAt: new Date(cycle.calendar.dataBy.dueAt).toISOString(),
      fundsDueAt: new Date(cycle.calendar.fundsBy.dueAt).toISOString(),
      creditedDueAt: new Date(cycle.calendar.creditedBy.dueAt).toISOString(),
    };
  }

  /** A step late: the breach recorded and escalated (its responsible group and the county see it in the SLA views). */
  @JobWorker('payments.record-breach')
  async recordBreach(job: Job): Promise<Record<string, never>> {
    const cycleId = String(job.variables.cycleId);
    const type = String(job.variables.deadlineType);
    await this.dataSource.transaction(async (manager) => {
      if (await this.deadlines.breach(PAYMENT_CYCLE_SUBJECT, cycleId, type, this.clock.now(), manager)) {
        await this.audit.record({ actor: { id: WORKER }, regionCode: String(job.variables.countyCode), action: 'payments.deadline-breached', subjectType: PAYMENT_CYCLE_SUBJECT, subjectId: cycleId, details: { deadline: type } }, manager);
      }
    });
    return {};
  }
}
