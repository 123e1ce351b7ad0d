import { Inject, Injectable } from '@nestjs/common';
import { yuan } from '../common/money';
import { DateTime } from 'luxon';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { citedRule, type DeadlineStart, DeadlinesService, workingDaysRule } from '../deadlines/deadlines.service';
import { PolicyProfiles, type ResolvedProfile } from '../policy/policy-profiles';
import { shanghaiDate } from '../policy/shanghai-date';
import { CAMUNDA_CLIENT, CamundaClient } from '../workflow/camunda-client';
import { publishOnce, taskCompletedAt } from '../workflow/engine-calls';
import { JobWorker } from '../workflow/job-worker.decorator';
import { ReserveFundService } from './reserve-fund.service';
import { approvalTier, instalments, tableAmountFen, unemployedAidProblems } from './temporary-aid-rules';
import {
  APPROVAL_STEPS,
  isApprovalTier,
  type ProposalVariables,
  type ReplyVariables,
  TEMPORARY_AID_DEADLINES,
  TEMPORARY_AID_JOBS,
  TEMPORARY_AID_MESSAGES,
  TEMPORARY_AID_SUBJECT as SUBJECT,
  TIER_TEXT,
} from './temporary-aid-process';
import { type AidRequest, TemporaryAidRepository } from './temporary-aid.repository';

interface Job {
  jobKey: string;
  processInstanceKey: string;
  variables: Record<string, unknown>;
}

const WORKER = 'system:temporary-aid-worker';
const HOUR_MS = 3_600_000;
/** Long enough to absorb a retried payment job; the watch it closes is already waiting. */
const AID_PAID_TTL_MS = HOUR_MS;

/**
 * The service tasks of bpmn/temporary-aid.bpmn. Idempotent: each step's state is set once (guarded by the request's
 * row lock and its own fields), events carry the job key, and variables are answered from what is stored.
 */
@Injectable()
export class TemporaryAidWorkers {
  constructor(
    private readonly repository: TemporaryAidRepository,
    private readonly fund: ReserveFundService,
    @Inject(PolicyProfiles) private readonly profiles: PolicyProfiles,
    private readonly deadlines: DeadlinesService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @Inject(CAMUNDA_CLIENT) private readonly camunda: CamundaClient,
  ) {}

  /**
   * The township replied: the amount is its proposal or the profile's table, the tier follows from it (rescue first
   * when urgent and small), and an emergency must be aided within the profile's hours of the request.
   */
  @JobWorker(TEMPORARY_AID_JOBS.propose)
  async propose(job: Job): Promise<ProposalVariables> {
    const reply = job.variables as unknown as ReplyVariables;
    // The reply deadline is met when the township replied, not when this job ran.
    const repliedAt = (await taskCompletedAt(this.camunda, String(job.processInstanceKey), 'Task_reply')) ?? this.clock.now();
    return this.onRequest(job, async (r, manager) => {
      const profile = this.profileAt(r);
      const p = profile.parameters;
      if (!r.tier) {
        const now = this.clock.now();
        const standard = r.area === 'urban' ? p.dibaoStandardUrbanFen.value : p.dibaoStandardRuralFen.value;
        const amountFen = reply.proposedYuan != null ? Math.round(reply.proposedYuan * 100) : tableAmountFen({ temporaryAidAmounts: p.temporaryAidAmounts.value, unemployedAid: p.unemployedAid.value }, reply.aidType, reply.severity, standard);
        const problems = reply.aidType === 'unemployed' ? unemployedAidProblems(r.unemployment, { unemployedAid: p.unemployedAid.value }) : [];
        const urgent = reply.urgent === true;
        const tier = problems.length
          ? 'ineligible'
          : approvalTier(amountFen, urgent, { rescueFirstLimitFen: p.rescueFirstLimitFen.value, townshipApprovalLimitFen: p.townshipApprovalLimitFen.value, countyApprovalCapFen: p.countyApprovalCapFen.value });
        await this.repository.update(
          r.id,
          { status: tier === 'rescue-first' || tier === 'ineligible' ? 'replied' : 'in-approval', aidType: reply.aidType, severity: reply.severity, urgent, amountFen, tier, referral: reply.referral ?? 'none', profileVersionId: profile.versionId, repliedAt: now },
          manager,
        );
        await this.deadlines.meet(SUBJECT, r.id, [TEMPORARY_AID_DEADLINES.reply], repliedAt, manager);
        if (reply.aidType === 'emergency') {
          const cited = profile.parameters.emergencyAidHours;
          await this.openDeadline(r, TEMPORARY_AID_DEADLINES.emergencyAid, { ...citedRule('emergencyAidHours', cited), computation: { kind: 'hours', hours: cited.value } }, r.requestedAt, manager);
        }
        await this.repository.event(r.id, 'replied', now, WORKER, { aidType: reply.aidType, severity: reply.severity, urgent, amountFen, tier, ineligibleReasons: problems, notes: reply.replyNotes }, manager, job.jobKey);
        await this.audit.record({ actor: { id: WORKER }, regionCode: r.regionCode, action: 'temporary-aid.replied', subjectType: SUBJECT, subjectId: r.id, details: { amountFen, tier } }, manager);
        Object.assign(r, { aidType: reply.aidType, amountFen, tier, unemployment: r.unemployment, repliedAt: now });
        if (isApprovalTier(tier)) {
          // The same instant the task's due date is computed from (approvalDueAt below), so record and task agree.
          const step = APPROVAL_STEPS[tier];
          const rule = workingDaysRule('temporaryAidApprovalWorkingDays', p.temporaryAidApprovalWorkingDays);
          await this.openDeadline(r, step.deadline, rule, now, manager, step.responsibleGroup);
        }
      }
      const emergency = r.aidType === 'emergency';
      const ineligibleReasons = r.tier === 'ineligible' ? unemployedAidProblems(r.unemployment, { unemployedAid: p.unemployedAid.value }) : [];
      const approvalDueAt = ['township', 'county', 'joint-meeting'].includes(r.tier!) ? this.approvalDueAt(r.repliedAt ?? this.clock.now(), profile).toISOString() : null;
      return { amountFen: r.amountFen!, amountYuanText: yuan(r.amountFen!), tier: r.tier!, tierText: TIER_TEXT[r.tier!], emergency, aidDueAt: emergency ? this.aidDueAt(r, profile).toISOString() : null, approvalDueAt, ineligibleReasons };
    });
  }

  /** A township approval is filed with the county (报县备案): the county sees it in its audit trail and the timeline. */
  @JobWorker(TEMPORARY_AID_JOBS.fileWithCounty)
  async fileWithCounty(job: Job): Promise<Record<string, never>> {
    const decidedAt = await this.approvalDecidedAt(job);
    return this.onRequest(job, async (r, manager) => {
      await this.meetApproval(r, decidedAt, manager);
      if (await this.repository.event(r.id, 'filed-with-county', this.clock.now(), WORKER, { countyCode: r.countyCode, amountFen: r.amountFen }, manager, job.jobKey)) {
        await this.audit.record({ actor: { id: WORKER }, regionCode: r.countyCode, action: 'temporary-aid.filed-with-county', subjectType: SUBJECT, subjectId: r.id, details: { amountFen: r.amountFen, townshipCode: r.townshipCode } }, manager);
      }
      return {};
    });
  }

  /**
   * Pays the aid. Rescue first: from the township reserve fund, or by the county directly when the fund cannot
   * cover it; its paperwork is then due within the profile's working days. Approved aid: by the county, one-off or
   * in monthly instalments (expenditure type). The emergency-aid watch is told once the money is out.
   */
  @JobWorker(TEMPORARY_AID_JOBS.pay)
  async pay(job: Job): Promise<{ paidBy: string; paperworkDueAt: string | null }> {
    const decidedAt = await this.approvalDecidedAt(job);
    const result = await this.onRequest(job, async (r, manager) => {
      await this.meetApproval(r, decidedAt, manager);
      const profile = this.profileAt(r);
      const now = r.paidAt ?? this.clock.now();
      const paperworkRule = workingDaysRule('paperworkWorkingDays', profile.parameters.paperworkWorkingDays, [{ variable: 'paperworkDueAt' }]);
      const paperworkDueAt = r.tier === 'rescue-first' ? this.deadlines.due(paperworkRule.computation, now) : null;
      if (r.paidAt) return { paidBy: r.paidBy!, paperworkDueAt: paperworkDueAt?.toISOString() ?? null };
      const paidBy = r.tier !== 'rescue-first' ? 'county' : (await this.fund.debit(r.townshipCode, r.id, r.amountFen!, WORKER, now, manager)) ? 'reserve-fund' : 'county-direct';
      const maxMonths = profile.parameters.instalmentMaxMonths.value;
      // The form bounds the months; the profile's maximum is the rule (PROCEDURES.md §3).
      const months = job.variables.paymentMode === 'instalments' && r.aidType === 'expenditure' ? Math.min(Math.max(Math.trunc(Number(job.variables.instalmentMonths) || 1), 1), maxMonths, r.amountFen!) : 1;
      const firstMonth = DateTime.fromJSDate(now, { zone: 'Asia/Shanghai' }).startOf('month');
      const parts = instalments(r.amountFen!, months, maxMonths);
      await this.repository.insertPayments(
        r.id,
        parts.map((amountFen, i) => ({ instalment: i + 1, month: firstMonth.plus({ months: i }).toISODate()!, amountFen, paidBy, paidAt: i === 0 ? now : null })),
        manager,
      );
      await this.repository.update(r.id, { status: 'paid', paidAt: now, paidBy }, manager);
      await this.deadlines.meet(SUBJECT, r.id, [TEMPORARY_AID_DEADLINES.emergencyAid], now, manager);
      if (paperworkDueAt) await this.openDeadline(r, TEMPORARY_AID_DEADLINES.paperwork, paperworkRule, now, manager);
      await this.repository.event(r.id, 'paid', now, WORKER, { amountFen: r.amountFen, paidBy, instalments: parts }, manager, job.jobKey);
      await this.audit.record({ actor: { id: WORKER }, regionCode: r.regionCode, action: 'temporary-aid.paid', subjectType: SUBJECT, subjectId: r.id, details: { amountFen: r.amountFen, paidBy, tier: r.tier } }, manager);
      return { paidBy, paperworkDueAt: paperworkDueAt?.toISOString() ?? null };
    });
    const requestId = String(job.variables.requestId);
    await publishOnce(this.camunda, { name: TEMPORARY_AID_MESSAGES.aidPaid, correlationKey: requestId, messageId: `${requestId}:aid-paid`, timeToLiveMs: AID_PAID_TTL_MS, variables: {} });
    return result;
  }

  /** Refusal with written reasons: the approver's, or why an unemployed person does not qualify. */
  @JobWorker(TEMPORARY_AID_JOBS.refuse)
  async refuse(job: Job): Promise<Record<string, never>> {
    const decidedAt = await this.approvalDecidedAt(job);
    return this.onRequest(job, async (r, manager) => {
      await this.meetApproval(r, decidedAt, manager);
      if (r.status === 'refused') return {};
      const now = this.clock.now();
      const reasons = [...((job.variables.ineligibleReasons as string[] | undefined) ?? []), String(job.variables.approvalReasons ?? '').trim()].filter(Boolean);
      const notice = [
        '临时救助不予批准告知书',
        `${r.applicantName}：`,
        `您于${shanghaiDate(r.requestedAt)}提出的临时救助申请（编号${r.requestNumber}），经审核决定不予批准。理由如下：`,
        ...reasons.map((reason, i) => `${i + 1}. ${reason}`),
        '如对本决定有异议，可依法申请行政复议或提起行政诉讼。',
      ].join('\n');
      await this.repository.update(r.id, { status: 'refused', refusalNotice: notice, closedAt: now }, manager);
      await this.deadlines.meet(SUBJECT, r.id, [TEMPORARY_AID_DEADLINES.emergencyAid], now, manager);
      await this.repository.event(r.id, 'refused', now, WORKER, { reasons }, manager, job.jobKey);
      await this.audit.record({ actor: { id: WORKER }, regionCode: r.regionCode, action: 'temporary-aid.refused', subjectType: SUBJECT, subjectId: r.id, details: { reasonCount: reasons.length } }, manager);
      return {};
    });
  }

  /** Closes the request; a referral to other assistance (from the reply) is recorded for the receiving office. */
  @JobWorker(TEMPORARY_AID_JOBS.close)
  async close(job: Job): Promise<Record<string, never>> {
    return this.onRequest(job, async (r, manager) => {
      if (r.status === 'closed') return {};
      const now = this.clock.now();
      // Instalments still to come: the request stays paid and closes when the payroll pays the last one (issue 16).
      if (await this.repository.hasUnpaidInstalments(r.id, manager)) {
        await this.repository.event(r.id, 'awaiting-instalments', now, WORKER, { referral: r.referral }, manager, job.jobKey);
        return {};
      }
      await this.repository.update(r.id, { status: 'closed', closedAt: now }, manager);
      await this.repository.event(r.id, 'closed', now, WORKER, { referral: r.referral }, manager, job.jobKey);
      if (r.referral && r.referral !== 'none') {
        await this.audit.record({ actor: { id: WORKER }, regionCode: r.regionCode, action: 'temporary-aid.referred', subjectType: SUBJECT, subjectId: r.id, details: { referral: r.referral } }, manager);
      }
      return {};
    });
  }

  /** A deadline passed (reply, emergency aid or paperwork): the breach is recorded and escalated to the county. */
  @JobWorker(TEMPORARY_AID_JOBS.recordBreach)
  async recordBreach(job: Job): Promise<Record<string, never>> {
    const type = String(job.variables.deadlineType);
    return this.onRequest(job, async (r, manager) => {
      const now = this.clock.now();
      if (await this.deadlines.breach(SUBJECT, r.id, type, now, manager)) {
        await this.repository.event(r.id, 'deadline-breached', now, WORKER, { deadline: type, escalatedTo: 'county-civil-affairs' }, manager, job.jobKey);
        await this.audit.record({ actor: { id: WORKER }, regionCode: r.regionCode, action: 'temporary-aid.deadline-breached', subjectType: SUBJECT, subjectId: r.id, details: { deadline: type } }, manager);
      }
      return {};
    });
  }

  private async onRequest<T>(job: Job, work: (r: AidRequest, manager: EntityManager) => Promise<T>): Promise<T> {
    const id = String(job.variables.requestId);
    return this.repository.transaction(async (manager) => {
      const r = await this.repository.find(id, manager, true);
      // Not a business outcome: a process without its request is a defect; the job fails and becomes an incident.
      if (!r) throw new Error(`temporary-aid request ${id} of job ${job.jobKey} does not exist`);
      return work(r, manager);
    });
  }

  /**
   * When the request's approval task was completed (approve or refuse), from the engine, before any transaction:
   * the deadline is met by the decision, not by this job's run. Null for a tier with no approval (rescue first, ineligible).
   */
  private async approvalDecidedAt(job: Job): Promise<Date | null> {
    const tier = job.variables.tier;
    if (!isApprovalTier(tier)) return null;
    return (await taskCompletedAt(this.camunda, String(job.processInstanceKey), APPROVAL_STEPS[tier].elementId)) ?? this.clock.now();
  }

  /** Closes the approval deadline of the request's tier (a breached one stays breached; a repeat changes nothing). */
  private async meetApproval(r: AidRequest, decidedAt: Date | null, manager: EntityManager): Promise<void> {
    if (decidedAt && isApprovalTier(r.tier)) await this.deadlines.meet(SUBJECT, r.id, [APPROVAL_STEPS[r.tier].deadline], decidedAt, manager);
  }

  /** The profile in force where and when the emergency was reported. */
  private profileAt(r: AidRequest): ResolvedProfile {
    return r.profileVersionId ? this.profiles.byVersionId(r.profileVersionId) : this.profiles.inForceAt(r.regionCode, r.requestedAt);
  }

  /** The approval (township, county or joint meeting) is due within the profile's working days of the reply. */
  private approvalDueAt(repliedAt: Date, profile: ResolvedProfile): Date {
    return this.deadlines.due(workingDaysRule('temporaryAidApprovalWorkingDays', profile.parameters.temporaryAidApprovalWorkingDays).computation, repliedAt);
  }

  private aidDueAt(r: AidRequest, profile: ResolvedProfile): Date {
    return new Date(r.requestedAt.getTime() + profile.parameters.emergencyAidHours.value * HOUR_MS);
  }

  /** A deadline on the request, of the township caseworkers unless another group must act. */
  private async openDeadline(r: AidRequest, type: string, rule: Pick<DeadlineStart, 'rule' | 'source' | 'computation'>, startedAt: Date, manager: EntityManager, responsibleGroup = 'township-caseworker'): Promise<void> {
    await this.deadlines.open(
      { type, subjectType: SUBJECT, subjectId: r.id, regionCode: r.regionCode, responsibleGroup, ...rule, startedAt },
      manager,
    );
  }
}
