import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DateTime } from 'luxon';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { DeadlinesService } from '../deadlines/deadlines.service';
import { HolidayCalendar } from '../policy/holiday-calendar';
import { PolicyProfiles } from '../policy/policy-profiles';
import { JobWorker } from '../workflow/job-worker.decorator';
import { monthPeriod, SamplingService } from './sampling.service';

interface Job {
  jobKey: string;
  variables: Record<string, unknown>;
}

const WORKER = 'system:sampling-worker';
const SUBJECT = 'sampling-batch';

/** The service tasks of bpmn/county-sampling*.bpmn; idempotent like every worker (a batch is drawn once per county and month). */
@Injectable()
export class SamplingWorkers {
  constructor(
    private readonly sampling: SamplingService,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(PolicyProfiles) private readonly profiles: PolicyProfiles,
    @Inject(HolidayCalendar) private readonly calendar: HolidayCalendar,
    private readonly deadlines: DeadlinesService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
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
    const reviewDueAt = this.calendar.deadlineAfterWorkingDays(drawnAt, profile.parameters.samplingReviewWorkingDays.value);
    const cited = profile.parameters.samplingReviewWorkingDays;
    await this.deadlines.open({
      type: 'sampling.review',
      subjectType: SUBJECT,
      subjectId: batch.id,
      regionCode: countyCode,
      responsibleGroup: 'county-civil-affairs',
      rule: `samplingReviewWorkingDays = ${cited.value}`,
      source: cited.source.document,
      startedAt: drawnAt,
      dueAt: reviewDueAt,
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

  @JobWorker('sampling.close-batch')
  async closeBatch(job: Job): Promise<Record<string, never>> {
    await this.deadlines.meet(SUBJECT, String(job.variables.batchId), ['sampling.review'], this.clock.now());
    return {};
  }
}

