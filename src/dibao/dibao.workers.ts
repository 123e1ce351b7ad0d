import { Inject, Injectable } from '@nestjs/common';
import { yuan } from '../common/money';
import { RegionRegistry, townshipOffice } from '../regions/region-registry';
import { DateTime } from 'luxon';
import type { EntityManager } from 'typeorm';
import { assess } from '../assessment/assess';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import type { DeadlineTimer } from '../deadlines/deadline-rule';
import { DeadlinesService, workingDaysRule } from '../deadlines/deadlines.service';
import type { WorkingDaysParameter } from '../policy/parameters';
import { PolicyProfiles, type ResolvedProfile } from '../policy/policy-profiles';
import { shanghaiDate } from '../policy/shanghai-date';
import { RelativesRegistry } from '../sampling/relatives-registry';
import { SamplingService } from '../sampling/sampling.service';
import { CAMUNDA_CLIENT, type CamundaClient } from '../workflow/camunda-client';
import { taskCompletedAt } from '../workflow/engine-calls';
import { BusinessOutcome } from '../workflow/job-outcome';
import { JobWorker } from '../workflow/job-worker.decorator';
import { type AcceptanceVariables, ASSESSMENT_OUTCOME_TEXT, type AssessmentVariables, DIBAO_JOBS, decisionOptions, ZERO_BENEFIT_APPROVAL, zeroBenefitReason } from './dibao-process';
import { type DibaoCase, DibaoRepository } from './dibao.repository';
import { SUBJECT } from './dibao.service';
import { assessedMoney, memberOptions, verifiedFactsFrom } from './verified-facts';
import { approvalNoticeText, assessmentReasons, citation, closureText, day, missingMaterialsText, publicNoticeText, type Remedies, refusalNoticeText, remediesOf } from './notices';
import { firstMonthAfter } from '../policy/shanghai-date';

/** What a worker reads of a job. */
interface Job {
  jobKey: string;
  processInstanceKey: string;
  variables: Record<string, unknown>;
}

const WORKER = 'system:dibao-worker';

/**
 * The service tasks of bpmn/dibao-application.bpmn. Each is idempotent: rows it writes carry the job key (unique),
 * and state it sets is the same however often it runs; the variables it returns are recomputed from the case.
 */
@Injectable()
export class DibaoWorkers {
  constructor(
    private readonly repository: DibaoRepository,
    @Inject(PolicyProfiles) private readonly profiles: PolicyProfiles,
    private readonly relatives: RelativesRegistry,
    private readonly sampling: SamplingService,
    private readonly deadlines: DeadlinesService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @Inject(CAMUNDA_CLIENT) private readonly camunda: CamundaClient,
    private readonly regions: RegionRegistry,
  ) {}

  /** 城关镇人民政府 for a notice; the bare code only for a township the registry does not know (an older case). */
  private async townshipOffice(code: string): Promise<string> {
    const name = await this.regions.nameOf(code);
    return name ? townshipOffice(name) : `${code}乡镇（街道）`;
  }

  /** The remedies with the bodies of the case's county named (修武县人民政府, 修武县人民法院). */
  private async remedies(profile: ResolvedProfile, c: DibaoCase): Promise<Remedies> {
    return remediesOf(profile, await this.regions.countyOf(c.townshipCode));
  }

  /** Fixes the profile version in force at acceptance and opens the procedure's deadlines (PROCEDURES.md §1.2–3, §1.10). */
  @JobWorker(DIBAO_JOBS.recordAcceptance)
  async recordAcceptance(job: Job): Promise<AcceptanceVariables> {
    // Accepted when the caseworker accepted (受理), not when this job ran: the procedure's clock starts then.
    const acceptedByCaseworker = await this.actedAt(job, 'Task_accept');
    return this.onCase(job, async (c, manager) => {
      const acceptedAt = c.acceptedAt ?? acceptedByCaseworker;
      const profile = c.profileVersionId
        ? this.profiles.byVersionId(c.profileVersionId)
        : this.profiles.inForceAt(c.regionCode, acceptedAt);
      const due = (name: 'investigationStartWorkingDays' | 'procedureWorkingDays' | 'procedureExtendedWorkingDays') =>
        this.deadlines.due({ kind: 'working-days', days: profile.parameters[name].value }, acceptedAt);
      const variables: AcceptanceVariables = {
        profileVersionId: profile.versionId,
        acceptedAt: acceptedAt.toISOString(),
        investigationDueAt: due('investigationStartWorkingDays').toISOString(),
        procedureDueAt: due('procedureWorkingDays').toISOString(),
        procedureExtendedDueAt: due('procedureExtendedWorkingDays').toISOString(),
        watchedDeadline: 'procedureDueAt',
        villageReviewRequired: profile.parameters.villageReviewRequired.value,
        relativesCase: c.relativesCase,
        memberOptions: memberOptions(await this.repository.members(c.id, manager)),
      };
      if (!c.acceptedAt) {
        // Every member matched against the relatives registry: a match makes a relatives' case (joint meeting, sampling stratum).
        variables.relativesCase = await this.matchRelatives(c, acceptedAt, manager);
        await this.repository.update(c.id, { status: 'accepted', accepted_at: acceptedAt, profile_version_id: profile.versionId, relatives_case: variables.relativesCase }, manager);
        await this.deadlines.meet(SUBJECT, c.id, ['dibao.acceptance'], acceptedAt, manager);
        await this.openDeadline(c, profile, 'dibao.investigation', 'investigationStartWorkingDays', 'township-caseworker', acceptedAt, manager);
        // The watch waits on the 30-day limit and, once extended, on the 45-day one: both move with the calendar.
        const extendedDays = profile.parameters.procedureExtendedWorkingDays.value;
        await this.openDeadline(c, profile, 'dibao.procedure', 'procedureWorkingDays', 'township-leader', acceptedAt, manager, [{ variable: 'procedureDueAt' }, { variable: 'procedureExtendedDueAt', days: extendedDays }]);
        await this.repository.event(c.id, 'accepted', acceptedAt, WORKER, { profileVersionId: profile.versionId, procedureDueAt: variables.procedureDueAt }, manager, job.jobKey);
      }
      return variables;
    });
  }

  /** Every missing material listed once, all together (一次性告知), with the deadline to supply them. */
  @JobWorker(DIBAO_JOBS.requestMaterials)
  async requestMaterials(job: Job): Promise<{ materialsDueAt: string }> {
    const answeredAt = await this.actedAt(job, 'Task_accept');
    return this.onCase(job, async (c, manager) => {
      const now = this.clock.now();
      const profile = this.profileAtApplication(c);
      // The applicant's date, stated in the written notice: it is not re-timed later (a notice once given stands).
      const dueAt = this.deadlines.due({ kind: 'working-days', days: profile.parameters.materialsWorkingDays.value }, now);
      const materials = String(job.variables.missingMaterials ?? '').trim();
      await this.repository.update(c.id, { status: 'awaiting-materials' }, manager);
      await this.repository.insertNotice(c.id, 'missing-materials', missingMaterialsText({ applicantName: c.applicantName, caseNumber: c.caseNumber, townshipName: await this.townshipOffice(c.townshipCode), materials, dueAt }), now, dueAt, job.jobKey, manager);
      await this.repository.event(c.id, 'materials-requested', now, WORKER, { materials, dueAt }, manager, job.jobKey);
      await this.deadlines.meet(SUBJECT, c.id, ['dibao.acceptance'], answeredAt, manager);
      return { materialsDueAt: dueAt.toISOString() };
    });
  }

  @JobWorker(DIBAO_JOBS.closeApplication)
  async closeApplication(job: Job): Promise<Record<string, never>> {
    return this.onCase(job, async (c, manager) => {
      const now = this.clock.now();
      await this.repository.update(c.id, { status: 'closed', decided_at: now }, manager);
      const text = closureText({ applicantName: c.applicantName, caseNumber: c.caseNumber, townshipName: await this.townshipOffice(c.townshipCode), closedAt: now, remedies: await this.remedies(this.profileAtApplication(c), c) });
      await this.repository.insertNotice(c.id, 'closure', text, now, null, job.jobKey, manager);
      await this.repository.event(c.id, 'closed', now, WORKER, { reason: 'materials not supplied in time' }, manager, job.jobKey);
      return {};
    });
  }

  /** The income assessment with the profile version of acceptance. */
  @JobWorker(DIBAO_JOBS.assess)
  async assess(job: Job): Promise<AssessmentVariables> {
    const investigatedAt = await this.actedAt(job, 'Task_investigation');
    return this.onCase(job, async (c, manager) => {
      // The investigation deadline is the township's: met when its caseworkers recorded the investigation.
      await this.deadlines.meet(SUBJECT, c.id, ['dibao.investigation'], investigatedAt, manager);
      const profile = this.profiles.byVersionId(c.profileVersionId!);
      const members = await this.repository.members(c.id, manager);
      // Verified figures where the investigation recorded them, declared ones elsewhere, each named in the steps.
      const verified = verifiedFactsFrom(job.variables as Record<string, unknown>);
      const money = assessedMoney(c.household, verified, members.map((m) => m.id));
      const result = assess({ area: c.area, members: members.map(({ name: _, idNumber: __, ...m }) => m), ...money }, profile);
      const now = this.clock.now();
      await this.repository.event(c.id, 'investigated', investigatedAt, WORKER, { ...verified }, manager, `${job.jobKey}:investigated`);
      await this.repository.insertAssessment(c.id, profile.versionId, result.outcome, result.benefitFen, result, now, job.jobKey, manager);
      await this.repository.update(c.id, { benefit_fen: result.benefitFen }, manager);
      await this.repository.event(c.id, 'assessed', now, WORKER, { outcome: result.outcome, benefitFen: result.benefitFen }, manager, job.jobKey);
      return {
        assessmentOutcome: result.outcome,
        benefitFen: result.benefitFen,
        assessmentReasons: result.reasons,
        assessmentOutcomeText: ASSESSMENT_OUTCOME_TEXT[result.outcome],
        benefitYuanText: yuan(result.benefitFen),
        assessmentReasonTexts: assessmentReasons(result, profile, members).map((r) => `${r.reason}（依据：${r.rule}）`),
        decisionOptions: decisionOptions(result.benefitFen),
      };
    });
  }

  /** The public notice: name, household size and amount only, for the profile's days. */
  @JobWorker(DIBAO_JOBS.publishNotice)
  async publishNotice(job: Job): Promise<{ noticeEndsAt: string }> {
    const published = await this.onCase(job, async (c, manager) => {
      const now = this.clock.now();
      // An approval that reached us past the decision form (any client of the engine can complete a task): the case's
      // own assessment decides, and the decision goes back to the township with the reason, not to an incident.
      if ((c.benefitFen ?? 0) <= 0) {
        if (await this.repository.event(c.id, 'approval-returned', now, WORKER, { reason: zeroBenefitReason(), benefitFen: c.benefitFen ?? 0 }, manager, job.jobKey)) {
          await this.audit.record({ actor: { id: WORKER }, regionCode: c.regionCode, action: 'dibao.approval-returned', subjectType: SUBJECT, subjectId: c.id, details: { benefitFen: c.benefitFen ?? 0 } }, manager);
        }
        return undefined;
      }
      const profile = this.profiles.byVersionId(c.profileVersionId!);
      const days = profile.parameters.noticeDays.value;
      // The notice runs whole calendar days and ends at the end of its last day, Asia/Shanghai.
      const endsAt = DateTime.fromJSDate(now, { zone: 'Asia/Shanghai' }).plus({ days }).endOf('day').toJSDate();
      const members = await this.repository.members(c.id, manager);
      const size = c.requestType === 'single-person' || job.variables.assessmentOutcome === 'single-person' ? 1 : members.length;
      const text = publicNoticeText({ applicantName: c.applicantName, householdSize: size, benefitFen: Number(job.variables.benefitFen ?? 0), noticeDays: days, endsAt, township: await this.townshipOffice(c.townshipCode) });
      await this.repository.update(c.id, { status: 'in-notice' }, manager);
      await this.repository.insertNotice(c.id, 'public', text, now, endsAt, job.jobKey, manager);
      await this.repository.event(c.id, 'notice-published', now, WORKER, { endsAt }, manager, job.jobKey);
      return { noticeEndsAt: endsAt.toISOString() };
    });
    if (!published) throw new BusinessOutcome(ZERO_BENEFIT_APPROVAL, zeroBenefitReason());
    return published;
  }

  /** Approval: the benefit is paid from the month after approval. */
  @JobWorker(DIBAO_JOBS.enrol)
  async enrol(job: Job): Promise<{ enrolledFromMonth: string }> {
    return this.onCase(job, async (c, manager) => {
      const now = this.clock.now();
      const benefitFen = Number(job.variables.benefitFen);
      const fromMonth = firstMonthAfter(now);
      await this.repository.insertDecision(c.id, 'approve', String(job.variables.decisionReasons ?? ''), benefitFen, now, job.jobKey, manager);
      await this.repository.enrol(c.id, benefitFen, fromMonth, now, manager);
      await this.repository.update(c.id, { status: 'enrolled', decided_at: now, benefit_fen: benefitFen }, manager);
      // The approval notice (法§45): amount, first month, how it is paid, the duty to report changes, the remedies.
      const profile = this.profiles.byVersionId(c.profileVersionId!);
      const members = await this.repository.members(c.id, manager);
      const householdSize = c.requestType === 'single-person' || job.variables.assessmentOutcome === 'single-person' ? 1 : members.length;
      const text = approvalNoticeText({
        applicantName: c.applicantName, caseNumber: c.caseNumber, townshipName: await this.townshipOffice(c.townshipCode), appliedAt: c.appliedAt, decidedAt: now,
        householdSize, benefitFen, fromMonth, payment: profile.parameters.paymentCalendar, remedies: await this.remedies(profile, c),
      });
      await this.repository.insertNotice(c.id, 'approval', text, now, null, job.jobKey, manager);
      await this.deadlines.meet(SUBJECT, c.id, ['dibao.procedure'], now, manager);
      if (await this.repository.event(c.id, 'enrolled', now, WORKER, { benefitFen, fromMonth }, manager, job.jobKey)) {
        await this.audit.record({ actor: { id: WORKER }, regionCode: c.regionCode, action: 'dibao.approved', subjectType: SUBJECT, subjectId: c.id, details: { benefitFen, fromMonth } }, manager);
      }
      return { enrolledFromMonth: fromMonth };
    });
  }

  /** Refusal: written notice with every reason and the rule behind it, delivered within the profile's working days. */
  @JobWorker(DIBAO_JOBS.issueRefusal)
  async issueRefusal(job: Job): Promise<{ refusalNoticeDueAt: string }> {
    return this.onCase(job, async (c, manager) => {
      const now = this.clock.now();
      const profile = this.profiles.byVersionId(c.profileVersionId!);
      const dueAt = this.deadlines.due({ kind: 'working-days', days: profile.parameters.refusalNoticeWorkingDays.value }, now);
      const decisionReasons = String(job.variables.decisionReasons ?? '').trim();
      const assessment = await this.repository.latestAssessment(c.id, manager);
      // Every reason in Chinese with its rule: the township's own, then the assessment's (members named, not by id) —
      // only when the assessment itself found the family ineligible: an eligible one's reasons say the opposite.
      const members = await this.repository.members(c.id, manager);
      const ineligible = assessment && assessment.outcome !== 'eligible' && assessment.outcome !== 'single-person';
      const reasons = [
        { reason: `乡镇审核意见：${decisionReasons}`, rule: citation('社会救助法 §45') },
        ...(ineligible ? assessmentReasons(assessment.result, profile, members) : []),
      ];
      const text = refusalNoticeText({ applicantName: c.applicantName, caseNumber: c.caseNumber, townshipName: await this.townshipOffice(c.townshipCode), appliedAt: c.appliedAt, reasons, decidedAt: now, remedies: await this.remedies(profile, c) });
      await this.repository.insertDecision(c.id, 'refuse', decisionReasons, 0, now, job.jobKey, manager);
      await this.repository.insertNotice(c.id, 'refusal', text, now, dueAt, job.jobKey, manager);
      await this.repository.update(c.id, { status: 'refused', decided_at: now, benefit_fen: 0 }, manager);
      await this.deadlines.meet(SUBJECT, c.id, ['dibao.procedure'], now, manager);
      await this.openDeadline(c, profile, 'dibao.refusal-notice', 'refusalNoticeWorkingDays', 'township-caseworker', now, manager);
      if (await this.repository.event(c.id, 'refused', now, WORKER, { reasons: reasons.map((r) => r.reason) }, manager, job.jobKey)) {
        await this.audit.record({ actor: { id: WORKER }, regionCode: c.regionCode, action: 'dibao.refused', subjectType: SUBJECT, subjectId: c.id, details: { reasonCount: reasons.length } }, manager);
      }
      return { refusalNoticeDueAt: dueAt.toISOString() };
    });
  }

  /** The refusal notice delivered: its deadline met at the moment the caseworker recorded the delivery. */
  @JobWorker(DIBAO_JOBS.recordDelivery)
  async recordDelivery(job: Job): Promise<Record<string, never>> {
    const deliveredAt = await this.actedAt(job, 'Task_deliver_refusal');
    return this.onCase(job, async (c, manager) => {
      await this.deadlines.meet(SUBJECT, c.id, ['dibao.refusal-notice'], deliveredAt, manager);
      await this.repository.event(c.id, 'refusal-delivered', deliveredAt, WORKER, { deliveredTo: job.variables.deliveredTo ?? null, notes: job.variables.deliveryNotes ?? null }, manager, job.jobKey);
      return {};
    });
  }

  /** The county's follow-up of a breached procedure done: its deadline met when the county recorded it. */
  @JobWorker(DIBAO_JOBS.recordFollowUp)
  async recordFollowUp(job: Job): Promise<Record<string, never>> {
    const followedUpAt = await this.actedAt(job, 'Task_county_follow_up');
    return this.onCase(job, async (c, manager) => {
      await this.deadlines.meet(SUBJECT, c.id, ['dibao.follow-up'], followedUpAt, manager);
      await this.repository.event(c.id, 'followed-up', followedUpAt, WORKER, { notes: job.variables.followUpNotes ?? null }, manager, job.jobKey);
      return {};
    });
  }

  /** Matches the case's members against the county's relatives registry on `at`; records each match. Whether any matched. */
  private async matchRelatives(c: DibaoCase, at: Date, manager: EntityManager): Promise<boolean> {
    const members = await this.repository.members(c.id, manager);
    const matches = await this.relatives.matches(members.map((m) => m.idNumber), c.countyCode, shanghaiDate(at), manager);
    for (const match of matches) {
      for (const m of members.filter((x) => x.idNumber === match.idNumber)) await this.repository.recordRelativesMatch(c.id, m.id, match.registryId, at, manager);
    }
    return matches.length > 0;
  }

  /** Every township decision, approval or refusal, enters the county sampling pool. */
  @JobWorker(DIBAO_JOBS.enterSamplingPool)
  async enterSamplingPool(job: Job): Promise<Record<string, never>> {
    return this.onCase(job, async (c, manager) => {
      await this.sampling.enterPool(
        {
          subjectType: SUBJECT, subjectId: c.id, decidedAt: c.decidedAt ?? this.clock.now(), countyCode: c.countyCode, townshipCode: c.townshipCode, regionCode: c.regionCode,
          decision: String(job.variables.decision), relativesCase: c.relativesCase, complaint: c.objectionRaised, caseNumber: c.caseNumber, applicantName: c.applicantName,
        },
        manager,
      );
      return {};
    });
  }

  /** The whole-procedure deadline passed: the breach is recorded and the county must follow up. */
  @JobWorker(DIBAO_JOBS.recordBreach)
  async recordBreach(job: Job): Promise<{ followUpDueAt: string; procedureDueText: string; procedureExtendedDueText: string }> {
    return this.onCase(job, async (c, manager) => {
      const now = this.clock.now();
      const profile = this.profiles.byVersionId(c.profileVersionId!);
      const followUpDueAt = this.deadlines.due({ kind: 'working-days', days: profile.parameters.followUpWorkingDays.value }, now);
      if (await this.deadlines.breach(SUBJECT, c.id, 'dibao.procedure', now, manager)) {
        await this.repository.event(c.id, 'deadline-breached', now, WORKER, { escalatedTo: 'county-civil-affairs', followUpDueAt }, manager, job.jobKey);
        await this.audit.record({ actor: { id: WORKER }, regionCode: c.regionCode, action: 'dibao.deadline-breached', subjectType: SUBJECT, subjectId: c.id }, manager);
        await this.openDeadline(c, profile, 'dibao.follow-up', 'followUpWorkingDays', 'county-civil-affairs', now, manager);
      }
      // For the county's follow-up form: the limits as the dates a person reads (the variables hold the moved values).
      const dueText = (at: unknown) => (at ? day(new Date(String(at))) : '');
      return { followUpDueAt: followUpDueAt.toISOString(), procedureDueText: dueText(job.variables.procedureDueAt), procedureExtendedDueText: dueText(job.variables.procedureExtendedDueAt) };
    });
  }

  private async onCase<T>(job: Job, work: (c: DibaoCase, manager: EntityManager) => Promise<T>): Promise<T> {
    const caseId = String(job.variables.caseId);
    return this.repository.transaction(async (manager) => {
      const c = await this.repository.findCase(caseId, manager, true);
      // Not a business outcome: a process without its case is a defect; the job fails and becomes an incident.
      if (!c) throw new Error(`dibao case ${caseId} of job ${job.jobKey} does not exist`);
      return work(c, manager);
    });
  }

  /** When the person completed the task at `elementId` (the act a deadline is met at); now if the engine cannot say. */
  private async actedAt(job: Job, elementId: string): Promise<Date> {
    return (await taskCompletedAt(this.camunda, String(job.processInstanceKey), elementId)) ?? this.clock.now();
  }

  private profileAtApplication(c: DibaoCase): ResolvedProfile {
    return this.profiles.inForceAt(c.regionCode, c.appliedAt);
  }

  /** A deadline of the profile's working days from `startedAt`; `timers` are the model's timers that wait on it. */
  private async openDeadline(c: DibaoCase, profile: ResolvedProfile, type: string, parameter: WorkingDaysParameter, group: string, startedAt: Date, manager: EntityManager, timers?: DeadlineTimer[]): Promise<void> {
    const cited = profile.parameters[parameter];
    await this.deadlines.open(
      { type, subjectType: SUBJECT, subjectId: c.id, regionCode: c.regionCode, responsibleGroup: group, ...workingDaysRule(parameter, cited, timers), startedAt },
      manager,
    );
  }
}
