import { Inject, Injectable, Logger } from '@nestjs/common';
import { yuan } from '../common/money';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { DeadlinesService } from '../deadlines/deadlines.service';
import { PolicyProfiles } from '../policy/policy-profiles';
import { CAMUNDA_CLIENT, CamundaClient } from '../workflow/camunda-client';
import { taskCompletedAt } from '../workflow/engine-calls';
import { JobWorker } from '../workflow/job-worker.decorator';
import { OutboxDispatcher } from '../outbox/outbox.dispatcher';
import { RegionRegistry } from '../regions/region-registry';
import { CORRECTION_JOBS, DIBAO_PROCESS_ID, type CorrectionPathVariables, type HearingVariables } from './dibao-process';
import { type DibaoCase, DibaoRepository } from './dibao.repository';
import { DibaoService, SUBJECT } from './dibao.service';
import { assessmentReasons, citation, hearingConclusionText, remediesOf, terminationText } from './notices';

interface Job {
  jobKey: string;
  processInstanceKey: string;
  variables: Record<string, unknown>;
}

const WORKER = 'system:dibao-correction-worker';

/** The event and audit action of each conclusion of a hearing (the events close it: HEARING_CONCLUSIONS). */
const CONCLUDED = {
  terminate: { event: 'terminated', action: 'dibao.terminated' },
  reduce: { event: 'benefit-reduced', action: 'dibao.benefit-reduced' },
  keep: { event: 'kept-after-hearing', action: 'dibao.benefit-kept' },
} as const;

/**
 * The service tasks of bpmn/dibao-correction.bpmn: what a county correction (seed 004 sampling), or a review that
 * found the household no longer eligible (`hearingReason = "review"`), does to the case. Idempotent like every
 * worker: the check answers from the event it recorded the first time; the re-open starts a new procedure only while
 * the case still points at the refused one; a conclusion is applied once (its event carries the job key).
 */
@Injectable()
export class DibaoCorrectionWorkers {
  private readonly logger = new Logger(DibaoCorrectionWorkers.name);

  constructor(
    private readonly repository: DibaoRepository,
    private readonly dibao: DibaoService,
    @Inject(PolicyProfiles) private readonly profiles: PolicyProfiles,
    private readonly deadlines: DeadlinesService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @Inject(CAMUNDA_CLIENT) private readonly camunda: CamundaClient,
    private readonly dispatcher: OutboxDispatcher,
    private readonly regions: RegionRegistry,
  ) {}

  /**
   * A refused case goes back to admission (status `applied`, acceptance deadline opened); an enrolled one waits for
   * the hearing, which this correction's instance now carries; any other state (corrected before, closed) is left.
   */
  @JobWorker(CORRECTION_JOBS.checkCorrection)
  async checkCorrection(job: Job): Promise<CorrectionPathVariables> {
    const caseId = String(job.variables.caseId);
    const reasons = String(job.variables.correctionReasons ?? '').trim();
    return this.repository.transaction(async (manager) => {
      const before = await this.repository.eventOfJob(job.jobKey, manager);
      if (before) return before.details.outcome as CorrectionPathVariables;
      const c = await this.repository.findCase(caseId, manager, true);
      if (!c) throw new Error(`dibao case ${caseId} of job ${job.jobKey} does not exist`);
      if (job.variables.hearingReason === 'review') return this.checkReviewHearing(c, job, manager);
      const now = this.clock.now();
      let outcome: CorrectionPathVariables = { correctionPath: 'none' };
      // One hearing at a time (a review's may be open): the correction is recorded for it, not heard twice.
      const hearing = c.status === 'enrolled' ? await this.repository.openHearing(c.id, manager) : undefined;
      if (hearing) {
        outcome = { correctionPath: 'none' };
      } else if (c.status === 'refused') {
        const acceptDueAt = await this.dibao.openAcceptance(c, now, manager);
        await this.repository.update(c.id, { status: 'applied', accepted_at: null, decided_at: null, benefit_fen: null, objection_raised: false }, manager);
        // The refusal no longer needs delivering: the county set it aside.
        await this.deadlines.meet(SUBJECT, c.id, ['dibao.refusal-notice'], now, manager);
        outcome = { correctionPath: 'reopen', previousProcessInstanceKey: c.processInstanceKey, acceptDueAt: acceptDueAt.toISOString() };
      } else if (c.status === 'enrolled') {
        const profile = this.profiles.byVersionId(c.profileVersionId!);
        const hearingDueAt = await this.dibao.openHearing(c, profile.parameters.hearingWorkingDays, now, manager);
        // The case's current steps are now those of its correction (the hearing).
        await this.repository.update(c.id, { process_instance_key: String(job.processInstanceKey) }, manager);
        outcome = { correctionPath: 'hear', hearingDueAt: hearingDueAt.toISOString(), currentBenefitFen: c.benefitFen ?? 0, currentBenefitYuanText: yuan(c.benefitFen ?? 0) };
      }
      await this.repository.event(c.id, 'county-correction', now, WORKER, { batchId: job.variables.batchId, reasons, statusBefore: c.status, outcome, ...(hearing ? { hearingOpenSince: hearing.at.toISOString() } : {}) }, manager, job.jobKey);
      await this.audit.record(
        { actor: { id: WORKER }, regionCode: c.regionCode, action: 'dibao.county-correction', subjectType: SUBJECT, subjectId: c.id, details: { statusBefore: c.status, path: outcome.correctionPath } },
        manager,
      );
      return outcome;
    });
  }

  /**
   * The review opened the hearing (deadline, event) in its own transaction: the case's current steps become this
   * instance's. A case no longer enrolled by now (e.g. nobody left after a death) is not heard: the hearing is closed.
   */
  private async checkReviewHearing(c: DibaoCase, job: Job, manager: EntityManager): Promise<CorrectionPathVariables> {
    const now = this.clock.now();
    const hearing = await this.repository.openHearing(c.id, manager);
    const heard = c.status === 'enrolled' && hearing?.kind === 'review-hearing-opened';
    const outcome: CorrectionPathVariables = heard ? { correctionPath: 'hear', hearingDueAt: String(job.variables.hearingDueAt), currentBenefitFen: c.benefitFen ?? 0, currentBenefitYuanText: yuan(c.benefitFen ?? 0) } : { correctionPath: 'none' };
    if (heard) {
      await this.repository.update(c.id, { process_instance_key: String(job.processInstanceKey) }, manager);
    } else {
      await this.deadlines.meet(SUBJECT, c.id, ['dibao.hearing'], now, manager);
    }
    const kind = heard ? 'review-hearing-started' : 'hearing-not-held';
    await this.repository.event(c.id, kind, now, WORKER, { processInstanceKey: String(job.processInstanceKey), statusBefore: c.status, outcome }, manager, job.jobKey);
    await this.audit.record({ actor: { id: WORKER }, regionCode: c.regionCode, action: `dibao.${kind}`, subjectType: SUBJECT, subjectId: c.id, details: { statusBefore: c.status } }, manager);
    return outcome;
  }

  /**
   * A fresh procedure from acceptance; the refused one, if it still runs (e.g. delivering the refusal), is cancelled.
   * Engine calls happen outside any transaction: the case row is not locked while the engine works.
   */
  @JobWorker(CORRECTION_JOBS.reopen)
  async reopen(job: Job): Promise<Record<string, never>> {
    const caseId = String(job.variables.caseId);
    const previous = (job.variables.previousProcessInstanceKey as string | null | undefined) ?? null;
    const c = await this.repository.findCase(caseId);
    if (!c) throw new Error(`dibao case ${caseId} of job ${job.jobKey} does not exist`);
    // Started before: the case points at its new procedure already.
    if (c.processInstanceKey !== previous) return {};
    if (previous) {
      await this.camunda.cancelProcessInstance({ processInstanceKey: previous as never }).catch((error: Error) => {
        // An instance that has ended cannot be cancelled: nothing to do.
        this.logger.debug(`previous procedure ${previous} of case ${c.id} not cancelled: ${error.message}`);
      });
    }
    // A retried job whose first run started the procedure but did not record it finds that instance, not a second one.
    const running = await this.dispatcher.existingInstance({ processId: DIBAO_PROCESS_ID, subjectId: c.id });
    if (running && running === previous) throw new Error(`the refused procedure ${previous} of case ${c.id} still runs: not cancelled yet`);
    const processInstanceKey = running ?? (await this.dibao.startProcedure(c, new Date(String(job.variables.acceptDueAt))));
    await this.repository.transaction(async (manager) => {
      await this.repository.update(c.id, { process_instance_key: processInstanceKey }, manager);
      await this.repository.event(c.id, 'reopened', this.clock.now(), WORKER, { processInstanceKey, reasons: job.variables.correctionReasons }, manager, job.jobKey);
      await this.audit.record({ actor: { id: WORKER }, regionCode: c.regionCode, action: 'dibao.reopened', subjectType: SUBJECT, subjectId: c.id, details: { processInstanceKey } }, manager);
    });
    return {};
  }

  /**
   * The family was heard: terminate, or reduce, from the next unpaid month with a written notice of every reason and
   * the statement heard (法§48), or keep the benefit (event and audit only). Until now the family was paid as before.
   */
  @JobWorker(CORRECTION_JOBS.concludeHearing)
  async concludeHearing(job: Job): Promise<Record<string, never>> {
    const caseId = String(job.variables.caseId);
    const heard = job.variables as unknown as HearingVariables;
    const conclusion = heard.hearingConclusion;
    if (!(conclusion in CONCLUDED)) throw new Error(`hearing of case ${caseId}: unknown conclusion ${String(conclusion)}`);
    const review = job.variables.hearingReason === 'review';
    const heardAt = (await taskCompletedAt(this.camunda, String(job.processInstanceKey), 'Task_hearing')) ?? this.clock.now();
    return this.repository.transaction(async (manager) => {
      const c = await this.repository.findCase(caseId, manager, true);
      if (!c) throw new Error(`dibao case ${caseId} of job ${job.jobKey} does not exist`);
      const now = this.clock.now();
      const hearingReasons = String(heard.hearingReasons ?? '').trim();
      const familyStatement = String(heard.familyStatement ?? '');
      // Read before the conclusion's event closes the hearing: what the review found.
      const opened = review ? await this.repository.openHearing(c.id, manager) : undefined;
      const oldBenefit = c.benefitFen ?? 0;
      const newBenefit = conclusion === 'reduce' ? Math.round(Number(heard.reducedBenefitYuan) * 100) : conclusion === 'terminate' ? 0 : oldBenefit;
      // The form bounds it; a benefit changed since the form was filled (e.g. a death's recalculation) is a case to look at.
      if (conclusion === 'reduce' && !(newBenefit > 0 && newBenefit < oldBenefit)) {
        throw new Error(`hearing of case ${c.caseNumber}: a reduction to ${newBenefit} fen is not between 0 and the current benefit ${oldBenefit} fen`);
      }
      const fromMonth = conclusion === 'keep' ? null : await this.repository.nextUnpaidMonth(c.countyCode, now, manager);
      const details = { hearingReasons, hearingReason: review ? 'review' : 'correction', oldBenefitFen: oldBenefit, newBenefitFen: newBenefit, fromMonth };
      if (!(await this.repository.event(c.id, CONCLUDED[conclusion].event, now, WORKER, details, manager, job.jobKey))) return {};
      await this.deadlines.meet(SUBJECT, c.id, ['dibao.hearing'], heardAt, manager);
      if (fromMonth) {
        if (review && opened?.details.household) await this.repository.setHousehold(c.id, opened.details.household as DibaoCase['household'], manager);
        if (conclusion === 'terminate') {
          await this.repository.update(c.id, { status: 'terminated', decided_at: now }, manager);
          await this.repository.endEnrolment(c.id, fromMonth, manager);
        } else {
          await this.repository.changeBenefit(c.id, newBenefit, fromMonth, now, manager);
          await this.repository.update(c.id, { benefit_fen: newBenefit }, manager);
        }
        const text = await this.conclusionText(c, conclusion as 'terminate' | 'reduce', { review, opened: opened?.details, correctionReasons: String(job.variables.correctionReasons ?? ''), hearingReasons, familyStatement, now, fromMonth, oldBenefit, newBenefit }, manager);
        await this.repository.insertNotice(c.id, conclusion === 'terminate' ? 'termination' : 'reduction', text, now, null, job.jobKey, manager);
      }
      await this.audit.record(
        { actor: { id: WORKER }, regionCode: c.regionCode, action: CONCLUDED[conclusion].action, subjectType: SUBJECT, subjectId: c.id, details: { afterHearing: true, hearingReason: details.hearingReason, oldBenefitFen: oldBenefit, newBenefitFen: newBenefit, fromMonth } },
        manager,
      );
      return {};
    });
  }

  /** The written notice of a termination or reduction: every reason, the statement heard, the month, the appeal. */
  private async conclusionText(
    c: DibaoCase,
    conclusion: 'terminate' | 'reduce',
    input: { review: boolean; opened?: Record<string, unknown>; correctionReasons: string; hearingReasons: string; familyStatement: string; now: Date; fromMonth: string; oldBenefit: number; newBenefit: number },
    manager: EntityManager,
  ): Promise<string> {
    const countyProfile = this.profiles.byVersionId(c.profileVersionId!);
    const remedies = remediesOf(countyProfile, await this.regions.countyOf(c.townshipCode));
    const common = { applicantName: c.applicantName, caseNumber: c.caseNumber, conclusion, hearingReasons: input.hearingReasons, familyStatement: input.familyStatement, decidedAt: input.now, fromMonth: input.fromMonth, oldBenefitFen: input.oldBenefit, newBenefitFen: input.newBenefit, remedies };
    if (input.review) {
      const assessment = input.opened?.assessmentKey ? await this.repository.assessmentOfKey(String(input.opened.assessmentKey), manager) : undefined;
      if (!assessment) throw new Error(`hearing of case ${c.caseNumber}: the review's assessment is not found`);
      const profile = this.profiles.byVersionId(assessment.profileVersionId);
      const members = await this.repository.members(c.id, manager);
      return hearingConclusionText({
        ...common,
        basis: '复查核算',
        findings: assessmentReasons(assessment.result, profile, members),
        assessmentSteps: assessment.result.steps.map((step) => step.description),
      });
    }
    if (conclusion === 'terminate') {
      const reasons = [input.correctionReasons, input.hearingReasons].filter((r) => r.trim());
      return terminationText({ applicantName: c.applicantName, caseNumber: c.caseNumber, reasons, familyStatement: input.familyStatement, decidedAt: input.now, untilMonth: input.fromMonth, remedies });
    }
    // The county's sampling review found it (the rule that makes the county check township decisions).
    const sampling = citation(countyProfile.parameters.sampling.source.document);
    const findings = [input.correctionReasons].filter((r) => r.trim()).map((reason) => ({ reason: `县级抽查复核意见：${reason.trim()}`, rule: sampling }));
    return hearingConclusionText({ ...common, basis: '县级抽查复核', findings, assessmentSteps: [] });
  }
}
