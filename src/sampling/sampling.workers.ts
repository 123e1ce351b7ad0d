import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DateTime } from 'luxon';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { DeadlinesService, workingDaysRule } from '../deadlines/deadlines.service';
import { PolicyProfiles } from '../policy/policy-profiles';
import { COUNTY_CORRECTION_MESSAGE, type CorrectionVariables } from './sampling-process';
import { CAMUNDA_CLIENT, CamundaClient } from '../workflow/camunda-client';
import { publishOnce } from '../workflow/engine-calls';
import { JobWorker } from '../workflow/job-worker.decorator';
import { BATCH_SUBJECT, type SamplingReview, SamplingService } from './sampling.service';

interface Job {
  jobKey: string;
  variables: Record<string, unknown>;
}

const WORKER = 'system:sampling-worker';
/** The subjects sampled: dibao cases (named by the pool, not by the dibao module). */
const CASE_SUBJECT = 'dibao-case';
/** Long enough to absorb any retry of the sending job; the correction itself starts at once. */
const CORRECTION_MESSAGE_TTL_MS = 24 * 3600 * 1000;

/** The service tasks of bpmn/county-sampling*.bpmn; idempotent like every worker (a batch is drawn once per county and month). */
@Injectable()
export class SamplingWorkers {
  constructor(
    private readonly sampling: SamplingService,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(PolicyProfiles) private readonly profiles: PolicyProfiles,
    private readonly deadlines: DeadlinesService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @Inject(CAMUNDA_CLIENT) private readonly camunda: CamundaClient,
  ) {}

  /** The previous month (Asia/Shanghai) and the counties with township decisions in it. */
  @JobWorker('sampling.list-counties')
  async listCounties(): Promise<{ period: string; counties: string[] }> {
    const period = DateTime.fromJSDate(this.clock.now(), { zone: 'Asia/Shanghai' }).minus({ months: 1 }).toFormat('yyyy-MM');
    return { period, counties: await this.sampling.countiesToDraw(period) };
  }

  @JobWorker('sampling.draw-batch')
  async drawBatch(job: Job) {
    const countyCode = String(job.variables.countyCode);
    const batch = await this.sampling.drawBatch(countyCode, String(job.variables.period));
    const profile = this.profiles.byVersionId(batch.profileVersionId);
    const drawnAt = new Date(batch.drawnAt);
    const cited = profile.parameters.samplingReviewWorkingDays;
    const reviewDueAt = await this.deadlines.open({
      type: 'sampling.review',
      subjectType: BATCH_SUBJECT,
      subjectId: batch.id,
      regionCode: countyCode,
      responsibleGroup: 'county-civil-affairs',
      ...workingDaysRule('samplingReviewWorkingDays', cited),
      startedAt: drawnAt,
    });
    const selectedCases = batch.selected.map((s) => s.subjectId);
    // Each review task's form names its case (bpmn/forms/sampling-review.form, via the task's caseLabel input).
    const selectedCaseLabels = await this.sampling.caseLabels(CASE_SUBJECT, selectedCases);
    return { batchId: batch.id, selectedCases, selectedCaseLabels, reviewDueAt: reviewDueAt.toISOString(), subjectType: BATCH_SUBJECT, subjectId: batch.id };
  }

  /** One county review: confirmed, or corrected with reasons (the correction also goes on the case's timeline). */
  @JobWorker('sampling.record-review')
  async recordReview(job: Job): Promise<Record<string, never>> {
    const batchId = String(job.variables.batchId);
    const caseId = String(job.variables.caseSubjectId);
    const outcome = String(job.variables.reviewOutcome);
    const reasons = String(job.variables.reviewReasons ?? '').trim();
    const now = this.clock.now();
    await this.dataSource.transaction(async (manager) => {
      if (!(await this.sampling.recordReview({ batchId, subjectId: caseId, outcome: outcome as SamplingReview['outcome'], reasons, reviewedAt: now }, manager))) return;
      const entry = await this.sampling.poolEntry(CASE_SUBJECT, caseId, manager);
      const regionCode = entry?.regionCode ?? String(job.variables.regionCode);
      await this.audit.record({ actor: { id: WORKER }, regionCode, action: `sampling.${outcome}`, subjectType: CASE_SUBJECT, subjectId: caseId, details: { batchId, reasons } }, manager);
    });
    return {};
  }

  /**
   * A correction reaches the case as the message that starts its correction (bpmn/dibao-correction.bpmn). The message
   * id makes a repeated publication (a retried job) a no-op while the message lives.
   */
  @JobWorker('sampling.send-correction')
  async sendCorrection(job: Job): Promise<Record<string, never>> {
    const batchId = String(job.variables.batchId);
    const caseId = String(job.variables.caseSubjectId);
    const entry = await this.sampling.poolEntry(CASE_SUBJECT, caseId);
    if (!entry) throw new Error(`sampled case ${caseId} of batch ${batchId} is not in the sampling pool`);
    const variables: CorrectionVariables = {
      caseId,
      batchId,
      decision: entry.decision as CorrectionVariables['decision'],
      correctionReasons: String(job.variables.reviewReasons ?? '').trim(),
      regionCode: entry.regionCode,
      subjectType: CASE_SUBJECT,
      subjectId: caseId,
    };
    await publishOnce(this.camunda, { name: COUNTY_CORRECTION_MESSAGE, correlationKey: caseId, messageId: `${batchId}:${caseId}`, timeToLiveMs: CORRECTION_MESSAGE_TTL_MS, variables: { ...variables } });
    return {};
  }

  @JobWorker('sampling.close-batch')
  async closeBatch(job: Job): Promise<Record<string, never>> {
    await this.deadlines.meet(BATCH_SUBJECT, String(job.variables.batchId), ['sampling.review'], this.clock.now());
    return {};
  }
}

