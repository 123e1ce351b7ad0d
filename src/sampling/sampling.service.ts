import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DateTime } from 'luxon';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { regionPrefix } from '../auth/region';
import type { Principal } from '../auth/principal';
import { Clock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { orderBy, page, type SortOrder } from '../common/paging';
import { InvalidRequestException } from '../common/problem';
import { OutboxDispatcher } from '../outbox/outbox.dispatcher';
import { OutboxRepository } from '../outbox/outbox.repository';
import { PolicyError, PolicyProfiles } from '../policy/policy-profiles';
import { RegionRegistry } from '../regions/region-registry';
import { type Draw, draw, type PopulationEntry, verify } from './draw';

/** The process of one county's batch (bpmn/county-sampling-batch.bpmn) and the subject it is started for. */
export const SAMPLING_BATCH_PROCESS_ID = 'county-sampling-batch';
export const BATCH_SUBJECT = 'sampling-batch';

/** A township decision as the county reviewer reads it. */
const DECISION_TEXT: Record<string, string> = { approve: '批准', refuse: '不予批准' };

/** A month of a county, in Asia/Shanghai: '2026-10' covers [2026-10-01 00:00, 2026-11-01 00:00) Shanghai time. */
export function monthPeriod(period: string): { start: Date; end: Date } {
  const start = DateTime.fromISO(`${period}-01`, { zone: 'Asia/Shanghai' });
  if (!/^\d{4}-\d{2}$/.test(period) || !start.isValid) throw new DomainError('invalid-period', `period must be a month YYYY-MM (got "${period}")`, 400);
  return { start: start.toJSDate(), end: start.plus({ months: 1 }).toJSDate() };
}

/** A township decision in the sampling pool. */
export interface PoolEntry {
  subjectType: string;
  subjectId: string;
  decidedAt: Date;
  countyCode: string;
  townshipCode: string;
  /** The finest region of the case (its village): reviews are filed under it. */
  regionCode: string;
  decision: string;
  relativesCase: boolean;
  complaint: boolean;
  /** Who the decision was for, as the county's review task shows it (entries before issue 18 have none). */
  caseNumber?: string | null;
  applicantName?: string | null;
}

export interface SamplingReview {
  batchId: string;
  outcome: 'confirmed' | 'corrected';
  reasons: string;
  reviewedBy: string;
  reviewedAt: Date;
}

/**
 * County sampling batches: the population is every township decision of the county in the period (approvals and
 * refusals, from the sampling pool); ratios come from the county's profile in force at the period's end.
 */
@Injectable()
export class SamplingService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(PolicyProfiles) private readonly profiles: PolicyProfiles,
    private readonly clock: Clock,
    private readonly outbox: OutboxRepository,
    private readonly dispatcher: OutboxDispatcher,
    private readonly audit: AuditService,
    private readonly regions: RegionRegistry,
  ) {}

  /** A township decision enters the county's sampling pool (once per subject and decision instant). */
  async enterPool(entry: PoolEntry, manager: EntityManager): Promise<void> {
    await manager.query(
      `INSERT INTO sampling_pool_entry (subject_type, subject_id, decided_at, county_code, township_code, region_code, decision, relatives_case, complaint, case_number, applicant_name)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING`,
      [entry.subjectType, entry.subjectId, entry.decidedAt, entry.countyCode, entry.townshipCode, entry.regionCode, entry.decision, entry.relativesCase, entry.complaint, entry.caseNumber ?? null, entry.applicantName ?? null],
    );
  }

  /** The latest pool entry of a subject: the decision a review is about and the region it is filed under. */
  /**
   * How a county review task names each selected case: "DB410821-2026-000001 王建国（东关村民委员会，城关镇），乡镇决定：批准"
   * (its latest pool entry; the case id where the entry predates the names).
   */
  async caseLabels(subjectType: string, subjectIds: string[]): Promise<Record<string, string>> {
    if (subjectIds.length === 0) return {};
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT DISTINCT ON (subject_id) subject_id, case_number, applicant_name, region_code, township_code, decision
       FROM sampling_pool_entry WHERE subject_type = $1 AND subject_id = ANY($2::text[]) ORDER BY subject_id, decided_at DESC`,
      [subjectType, subjectIds],
    );
    const names = await this.regions.findAll(rows.flatMap((r) => [r.region_code as string, r.township_code as string]));
    const labels: Record<string, string> = Object.fromEntries(subjectIds.map((id) => [id, id]));
    for (const r of rows) {
      const places = [names.get(r.region_code as string)?.name, names.get(r.township_code as string)?.name].filter(Boolean).join('，');
      const who = r.case_number ? `${r.case_number} ${r.applicant_name}${places ? `（${places}）` : ''}` : (r.subject_id as string);
      labels[r.subject_id as string] = `${who}，乡镇决定：${DECISION_TEXT[r.decision as string] ?? r.decision}`;
    }
    return labels;
  }

  async poolEntry(subjectType: string, subjectId: string, manager: EntityManager = this.dataSource.manager): Promise<PoolEntry | undefined> {
    const [r]: Record<string, unknown>[] = await manager.query(
      `SELECT * FROM sampling_pool_entry WHERE subject_type = $1 AND subject_id = $2 ORDER BY decided_at DESC LIMIT 1`,
      [subjectType, subjectId],
    );
    return r
      ? { subjectType: r.subject_type as string, subjectId: r.subject_id as string, decidedAt: r.decided_at as Date, countyCode: r.county_code as string, townshipCode: r.township_code as string,
          regionCode: r.region_code as string, decision: r.decision as string, relativesCase: r.relatives_case as boolean, complaint: r.complaint as boolean,
          caseNumber: (r.case_number as string | null) ?? null, applicantName: (r.applicant_name as string | null) ?? null }
      : undefined;
  }

  /** The county's reviews of a subject, oldest first (the case's timeline shows them). */
  async reviewsOf(subjectId: string): Promise<SamplingReview[]> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT batch_id::text, outcome, reasons, reviewed_by, reviewed_at FROM sampling_review WHERE subject_id = $1 ORDER BY reviewed_at, batch_id`,
      [subjectId],
    );
    return rows.map((r) => ({ batchId: r.batch_id as string, outcome: r.outcome as SamplingReview['outcome'], reasons: r.reasons as string, reviewedBy: r.reviewed_by as string, reviewedAt: r.reviewed_at as Date }));
  }

  /** Records one county review, once; answers whether it was new. */
  async recordReview(review: Omit<SamplingReview, 'reviewedBy'> & { subjectId: string }, manager: EntityManager): Promise<boolean> {
    const inserted: unknown[] = await manager.query(
      `INSERT INTO sampling_review (batch_id, subject_id, outcome, reasons, reviewed_by, reviewed_at) VALUES ($1, $2, $3, $4, 'county-civil-affairs', $5)
       ON CONFLICT DO NOTHING RETURNING subject_id`,
      [review.batchId, review.subjectId, review.outcome, review.reasons, review.reviewedAt],
    );
    return inserted.length > 0;
  }

  /** The counties with township decisions in a period and no batch for it yet (one drawn by hand is not drawn again). */
  async countiesToDraw(period: string): Promise<string[]> {
    const { start, end } = monthPeriod(period);
    const rows: { county_code: string }[] = await this.dataSource.query(
      `SELECT DISTINCT e.county_code FROM sampling_pool_entry e
       WHERE e.decided_at >= $1 AND e.decided_at < $2 AND NOT EXISTS (SELECT 1 FROM sampling_batch b WHERE b.county_code = e.county_code AND b.period = $3)
       ORDER BY e.county_code`,
      [start, end, period],
    );
    return rows.map((r) => r.county_code);
  }

  /** Draws the batch of a county and month, once: drawing again answers the stored batch. */
  async drawBatch(countyCode: string, period: string) {
    await this.insertBatch(countyCode, period, this.dataSource.manager);
    return (await this.batchOf(countyCode, period))!;
  }

  /**
   * A county draws a month by hand (before the monthly timer, or for a month it missed): the batch and the start of
   * its review process (bpmn/county-sampling-batch.bpmn, which then answers this batch) commit together, so every
   * selected case gets its review task exactly as on the timer's path. Drawing a month already drawn answers it.
   */
  async drawByHand(countyCode: string, period: string, principal: Principal) {
    const drawn = await this.dataSource.transaction(async (manager) => {
      if (!(await this.insertBatch(countyCode, period, manager))) return { batch: (await this.batchOf(countyCode, period, manager))!, outboxId: null };
      const batch = (await this.batchOf(countyCode, period, manager))!;
      const outboxId = await this.outbox.enqueueStart(
        {
          processId: SAMPLING_BATCH_PROCESS_ID,
          businessKey: `${BATCH_SUBJECT}:${batch.id}`,
          subjectType: BATCH_SUBJECT,
          subjectId: batch.id,
          variables: { countyCode, regionCode: countyCode, period, subjectType: BATCH_SUBJECT, subjectId: batch.id },
        },
        manager,
      );
      await this.audit.record(
        { actor: { id: principal.id, roles: principal.roles }, regionCode: countyCode, action: 'sampling.drawn-by-hand', subjectType: BATCH_SUBJECT, subjectId: batch.id, details: { period, selected: batch.selected.length } },
        manager,
      );
      return { batch, outboxId };
    });
    if (drawn.outboxId) await this.dispatcher.dispatchNow(drawn.outboxId);
    return drawn.batch;
  }

  /** Inserts the batch of an ended month unless it exists; answers whether it was new. */
  private async insertBatch(countyCode: string, period: string, manager: EntityManager): Promise<boolean> {
    const { start, end } = monthPeriod(period);
    // A month still running (or to come) has decisions yet to be made: drawing it would lock an incomplete population.
    if (end > this.clock.now()) throw new InvalidRequestException([{ field: 'period', message: `period ${period} has not ended yet: a month can be drawn from its end (${DateTime.fromJSDate(end, { zone: 'Asia/Shanghai' }).toFormat('yyyy-MM-dd HH:mm')} Asia/Shanghai)` }]);
    if (await this.batchOf(countyCode, period, manager)) return false;
    const profile = this.profileForPeriod(countyCode, period, end);
    const { ratioPercent, relativesRatioPercent } = profile.parameters.sampling.value;
    const population = await this.population(countyCode, start, end, manager);
    const seed = randomBytes(16).toString('hex');
    const result = draw(population, ratioPercent, relativesRatioPercent, seed);
    const inserted: unknown[] = await manager.query(
      `INSERT INTO sampling_batch (id, county_code, period, period_start, period_end, profile_version_id, ratio_percent, relatives_percent, algorithm, seed,
         population, population_digest, required, selected, drawn_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) ON CONFLICT (county_code, period) DO NOTHING RETURNING id`,
      [randomUUID(), countyCode, period, start, end, profile.versionId, ratioPercent, relativesRatioPercent, result.algorithm, seed, JSON.stringify(population), result.populationDigest,
        JSON.stringify(result.required), JSON.stringify(result.selected), this.clock.now()],
    );
    return inserted.length > 0;
  }

  /** The county's profile at the period's end; a period before any version took effect is the caller's mistake (400 on period). */
  private profileForPeriod(countyCode: string, period: string, end: Date) {
    try {
      return this.profiles.inForceAt(countyCode, new Date(end.getTime() - 1));
    } catch (error) {
      if (error instanceof PolicyError) throw new InvalidRequestException([{ field: 'period', message: `no policy profile is in force for county ${countyCode} in period ${period}: ${error.message}` }]);
      throw error;
    }
  }

  /** A page of the batches of the caller's county (every county under a city or province), newest period first by default. */
  async list(region: string, query: { sort: BatchSort; order: SortOrder; limit: number; offset: number }) {
    const prefix = regionPrefix(region).slice(0, 6);
    const [{ n }]: { n: number }[] = await this.dataSource.query(`SELECT count(*)::int AS n FROM sampling_batch b WHERE b.county_code LIKE $1 || '%'`, [prefix]);
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT b.*, (SELECT count(*) FROM sampling_review r WHERE r.batch_id = b.id)::int AS reviewed FROM sampling_batch b
       WHERE b.county_code LIKE $1 || '%' ${orderBy(BATCH_SORT_COLUMNS, query.sort, query.order, 'b.id')} LIMIT $2 OFFSET $3`,
      [prefix, query.limit, query.offset],
    );
    return page(rows.map(toBatch), n, query);
  }

  async one(id: string, region: string) {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT b.*, (SELECT count(*) FROM sampling_review r WHERE r.batch_id = b.id)::int AS reviewed FROM sampling_batch b
       WHERE b.id = $1 AND b.county_code LIKE $2 || '%'`,
      [id, regionPrefix(region).slice(0, 6)],
    );
    if (!rows[0]) throw new DomainError('batch-not-found', `no sampling batch ${id} in region ${region}`, 404);
    return toBatch(rows[0]);
  }

  /** Re-derives the selection from the stored seed over the population as the sampling pool holds it now. */
  async verify(id: string, region: string) {
    const batch = await this.one(id, region);
    const now = await this.population(batch.countyCode, new Date(batch.periodStart), new Date(batch.periodEnd));
    const stored: Draw = { algorithm: batch.algorithm, seed: batch.seed, populationDigest: batch.populationDigest, population: batch.counts, required: batch.required, selected: batch.selected };
    return verify(stored, now, batch.ratioPercent, batch.relativesPercent);
  }

  private async population(countyCode: string, start: Date, end: Date, manager: EntityManager = this.dataSource.manager): Promise<PopulationEntry[]> {
    const rows: { subject_id: string; relatives_case: boolean; complaint: boolean }[] = await manager.query(
      `SELECT subject_id, relatives_case, complaint FROM sampling_pool_entry WHERE county_code = $1 AND decided_at >= $2 AND decided_at < $3 ORDER BY subject_id`,
      [countyCode, start, end],
    );
    return rows.map((r) => ({ subjectId: r.subject_id, relativesCase: r.relatives_case, complaint: r.complaint }));
  }

  private async batchOf(countyCode: string, period: string, manager: EntityManager = this.dataSource.manager) {
    const rows: Record<string, unknown>[] = await manager.query(
      `SELECT b.*, (SELECT count(*) FROM sampling_review r WHERE r.batch_id = b.id)::int AS reviewed FROM sampling_batch b WHERE county_code = $1 AND period = $2`,
      [countyCode, period],
    );
    return rows[0] ? toBatch(rows[0]) : undefined;
  }
}

export const BATCH_SORTS = ['period', 'countyCode', 'drawnAt'] as const;
export type BatchSort = (typeof BATCH_SORTS)[number];
const BATCH_SORT_COLUMNS: Record<BatchSort, string> = { period: 'b.period', countyCode: 'b.county_code', drawnAt: 'b.drawn_at' };

function toBatch(r: Record<string, unknown>) {
  const population = r.population as PopulationEntry[];
  const selected = r.selected as Draw['selected'];
  return {
    id: r.id as string,
    countyCode: r.county_code as string,
    period: r.period as string,
    periodStart: (r.period_start as Date).toISOString(),
    periodEnd: (r.period_end as Date).toISOString(),
    profileVersionId: r.profile_version_id as string,
    ratioPercent: r.ratio_percent as number,
    relativesPercent: r.relatives_percent as number,
    algorithm: r.algorithm as string,
    seed: r.seed as string,
    populationDigest: r.population_digest as string,
    counts: { decisions: population.length, relativesCases: population.filter((p) => p.relativesCase).length, complaints: population.filter((p) => p.complaint).length },
    required: r.required as Draw['required'],
    selected,
    progress: { selected: selected.length, reviewed: Number(r.reviewed ?? 0) },
    drawnAt: (r.drawn_at as Date).toISOString(),
  };
}
