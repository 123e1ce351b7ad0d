import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DateTime } from 'luxon';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { DeadlinesService, workingDaysRule } from '../deadlines/deadlines.service';
import { PolicyProfiles } from '../policy/policy-profiles';
import { DIBAO_MESSAGES, type CorrectionVariables } from '../dibao/dibao-process';
import { CAMUNDA_CLIENT, CamundaClient } from '../workflow/camunda-client';
import { publishOnce } from '../workflow/engine-calls';
import { JobWorker } from '../workflow/job-worker.decorator';
import { monthPeriod, SamplingService } from './sampling.service';

interface Job {
  jobKey: string;
  variables: Record<string, unknown>;
}

const WORKER = 'system:sampling-worker';
const SUBJECT = 'sampling-batch';
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
    const { start, end } = monthPeriod(period);
    const rows: { county_code: string }[] = await this.dataSource.query(
      `SELECT DISTINCT county_code FROM sampling_pool_entry WHERE decided_at >= $1 AND decided_at < $2 ORDER BY county_code`,
      [start, end],
    );
    return { period, counties: rows.map((r) => r.county_code) };
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
      subjectType: SUBJECT,
      subjectId: batch.id,
      regionCode: countyCode,
      responsibleGroup: 'county-civil-affairs',
      ...workingDaysRule('samplingReviewWorkingDays', cited),
      startedAt: drawnAt,
    });
    return { batchId: batch.id, selectedCases: batch.selected.map((s) => s.subjectId), reviewDueAt: reviewDueAt.toISOString(), subjectType: SUBJECT, subjectId: batch.id };
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
      const inserted: unknown[] = await manager.query(
        `INSERT INTO sampling_review (batch_id, subject_id, outcome, reasons, reviewed_by, reviewed_at) VALUES ($1, $2, $3, $4, 'county-civil-affairs', $5)
         ON CONFLICT DO NOTHING RETURNING subject_id`,
        [batchId, caseId, outcome, reasons, now],
      );
      if (!inserted.length) return;
      const [c] = await manager.query(`SELECT region_code FROM dibao_case WHERE id::text = $1`, [caseId]);
      const regionCode = (c?.region_code as string | undefined) ?? String(job.variables.regionCode);
      await this.audit.record({ actor: { id: WORKER }, regionCode, action: `sampling.${outcome}`, subjectType: 'dibao-case', subjectId: caseId, details: { batchId, reasons } }, manager);
      if (c) await manager.query(`INSERT INTO dibao_event (case_id, kind, at, actor_id, details) VALUES ($1, $2, $3, $4, $5)`, [caseId, `sampling-${outcome}`, now, WORKER, { batchId, reasons }]);
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
    const [entry]: { decision: 'approve' | 'refuse'; region_code: string }[] = await this.dataSource.query(
      `SELECT p.decision, c.region_code FROM sampling_pool_entry p JOIN dibao_case c ON c.id::text = p.subject_id
       WHERE p.subject_type = 'dibao-case' AND p.subject_id = $1 ORDER BY p.decided_at DESC LIMIT 1`,
      [caseId],
    );
    if (!entry) throw new Error(`sampled case ${caseId} of batch ${batchId} is not in the sampling pool`);
    const variables: CorrectionVariables = {
      caseId,
      batchId,
      decision: entry.decision,
      correctionReasons: String(job.variables.reviewReasons ?? '').trim(),
      regionCode: entry.region_code,
      subjectType: 'dibao-case',
      subjectId: caseId,
    };
    await publishOnce(this.camunda, { name: DIBAO_MESSAGES.countyCorrection, correlationKey: caseId, messageId: `${batchId}:${caseId}`, timeToLiveMs: CORRECTION_MESSAGE_TTL_MS, variables: { ...variables } });
    return {};
  }

  @JobWorker('sampling.close-batch')
  async closeBatch(job: Job): Promise<Record<string, never>> {
    await this.deadlines.meet(SUBJECT, String(job.variables.batchId), ['sampling.review'], this.clock.now());
    return {};
  }
}

