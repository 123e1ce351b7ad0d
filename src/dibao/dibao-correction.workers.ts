import { Inject, Injectable, Logger } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { DeadlinesService, workingDaysRule } from '../deadlines/deadlines.service';
import { PolicyProfiles } from '../policy/policy-profiles';
import { CAMUNDA_CLIENT, CamundaClient } from '../workflow/camunda-client';
import { taskCompletedAt } from '../workflow/engine-calls';
import { JobWorker } from '../workflow/job-worker.decorator';
import { OutboxDispatcher } from '../outbox/outbox.dispatcher';
import { CORRECTION_JOBS, DIBAO_PROCESS_ID, type CorrectionPathVariables } from './dibao-process';
import { DibaoRepository } from './dibao.repository';
import { DibaoService, SUBJECT } from './dibao.service';
import { terminationText } from './notices';

interface Job {
  jobKey: string;
  processInstanceKey: string;
  variables: Record<string, unknown>;
}

const WORKER = 'system:dibao-correction-worker';

/**
 * The service tasks of bpmn/dibao-correction.bpmn: what a county correction (seed 004 sampling) does to the case.
 * Idempotent like every worker: the check answers from the event it recorded the first time; the re-open starts a
 * new procedure only while the case still points at the refused one.
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
      const now = this.clock.now();
      let outcome: CorrectionPathVariables = { correctionPath: 'none' };
      if (c.status === 'refused') {
        const acceptDueAt = await this.dibao.openAcceptance(c, now, manager);
        await this.repository.update(c.id, { status: 'applied', accepted_at: null, decided_at: null, benefit_fen: null, objection_raised: false }, manager);
        // The refusal no longer needs delivering: the county set it aside.
        await this.deadlines.meet(SUBJECT, c.id, ['dibao.refusal-notice'], now, manager);
        outcome = { correctionPath: 'reopen', previousProcessInstanceKey: c.processInstanceKey, acceptDueAt: acceptDueAt.toISOString() };
      } else if (c.status === 'enrolled') {
        const profile = this.profiles.byVersionId(c.profileVersionId!);
        const cited = profile.parameters.hearingWorkingDays;
        const hearingDueAt = await this.deadlines.open(
          {
            type: 'dibao.hearing',
            subjectType: SUBJECT,
            subjectId: c.id,
            regionCode: c.regionCode,
            responsibleGroup: 'township-caseworker',
            ...workingDaysRule('hearingWorkingDays', cited),
            startedAt: now,
          },
          manager,
        );
        // The case's current steps are now those of its correction (the hearing).
        await this.repository.update(c.id, { process_instance_key: String(job.processInstanceKey) }, manager);
        outcome = { correctionPath: 'hear', hearingDueAt: hearingDueAt.toISOString() };
      }
      await this.repository.event(c.id, 'county-correction', now, WORKER, { batchId: job.variables.batchId, reasons, statusBefore: c.status, outcome }, manager, job.jobKey);
      await this.audit.record(
        { actor: { id: WORKER }, regionCode: c.regionCode, action: 'dibao.county-correction', subjectType: SUBJECT, subjectId: c.id, details: { statusBefore: c.status, path: outcome.correctionPath } },
        manager,
      );
      return outcome;
    });
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

  /** The family was heard: terminate with a written notice of every reason and the statement heard, or keep. */
  @JobWorker(CORRECTION_JOBS.concludeHearing)
  async concludeHearing(job: Job): Promise<Record<string, never>> {
    const caseId = String(job.variables.caseId);
    const terminate = job.variables.hearingConclusion === 'terminate';
    const heardAt = (await taskCompletedAt(this.camunda, String(job.processInstanceKey), 'Task_hearing')) ?? this.clock.now();
    return this.repository.transaction(async (manager) => {
      const c = await this.repository.findCase(caseId, manager, true);
      if (!c) throw new Error(`dibao case ${caseId} of job ${job.jobKey} does not exist`);
      const now = this.clock.now();
      const hearingReasons = String(job.variables.hearingReasons ?? '').trim();
      if (!(await this.repository.event(c.id, terminate ? 'terminated' : 'kept-after-hearing', now, WORKER, { hearingReasons }, manager, job.jobKey))) return {};
      await this.deadlines.meet(SUBJECT, c.id, ['dibao.hearing'], heardAt, manager);
      if (terminate) {
        // Stopped from the next month whose payroll is not generated yet: the notice must say what will happen.
        const untilMonth = await this.repository.nextUnpaidMonth(c.countyCode, now, manager);
        const reasons = [String(job.variables.correctionReasons ?? ''), hearingReasons].filter((r) => r.trim());
        const text = terminationText({ applicantName: c.applicantName, caseNumber: c.caseNumber, reasons, familyStatement: String(job.variables.familyStatement ?? ''), decidedAt: now, untilMonth });
        await this.repository.update(c.id, { status: 'terminated', decided_at: now }, manager);
        await this.repository.endEnrolment(c.id, untilMonth, manager);
        await this.repository.insertNotice(c.id, 'termination', text, now, null, job.jobKey, manager);
      }
      await this.audit.record(
        { actor: { id: WORKER }, regionCode: c.regionCode, action: terminate ? 'dibao.terminated' : 'dibao.benefit-kept', subjectType: SUBJECT, subjectId: c.id, details: { afterHearing: true } },
        manager,
      );
      return {};
    });
  }
}
