import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DateTime } from 'luxon';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { regionPrefix } from '../auth/region';
import { Clock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { PolicyProfiles } from '../policy/policy-profiles';
import { type Draw, draw, type PopulationEntry, verify } from './draw';

/** A month of a county, in Asia/Shanghai: '2026-10' covers [2026-10-01 00:00, 2026-11-01 00:00) Shanghai time. */
export function monthPeriod(period: string): { start: Date; end: Date } {
  const start = DateTime.fromISO(`${period}-01`, { zone: 'Asia/Shanghai' });
  if (!/^\d{4}-\d{2}$/.test(period) || !start.isValid) throw new DomainError('invalid-period', `period must be a month YYYY-MM (got "${period}")`, 400);
  return { start: start.toJSDate(), end: start.plus({ months: 1 }).toJSDate() };
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
  ) {}

  /** Draws the batch of a county and month, once: drawing again answers the stored batch. */
  async drawBatch(countyCode: string, period: string) {
    const existing = await this.batchOf(countyCode, period);
    if (existing) return existing;
    const { start, end } = monthPeriod(period);
    const profile = this.profiles.inForceAt(countyCode, new Date(end.getTime() - 1));
    const { ratioPercent, relativesRatioPercent } = profile.parameters.sampling.value;
    const population = await this.population(countyCode, start, end);
    const seed = randomBytes(16).toString('hex');
    const result = draw(population, ratioPercent, relativesRatioPercent, seed);
    const id = randomUUID();
    await this.dataSource.query(
      `INSERT INTO sampling_batch (id, county_code, period, period_start, period_end, profile_version_id, ratio_percent, relatives_percent, algorithm, seed,
         population, population_digest, required, selected, drawn_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) ON CONFLICT (county_code, period) DO NOTHING`,
      [id, countyCode, period, start, end, profile.versionId, ratioPercent, relativesRatioPercent, result.algorithm, seed, JSON.stringify(population), result.populationDigest,
        JSON.stringify(result.required), JSON.stringify(result.selected), this.clock.now()],
    );
    return (await this.batchOf(countyCode, period))!;
  }

  async list(region: string) {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT b.*, (SELECT count(*) FROM sampling_review r WHERE r.batch_id = b.id)::int AS reviewed FROM sampling_batch b
       WHERE b.county_code LIKE $1 || '%' ORDER BY b.period DESC, b.county_code`,
      [regionPrefix(region).slice(0, 6)],
    );
    return rows.map(toBatch);
  }

  async one(id: string, region: string) {
    const batch = (await this.list(region)).find((b) => b.id === id);
    if (!batch) throw new DomainError('batch-not-found', `no sampling batch ${id} in region ${region}`, 404);
    return batch;
  }

  /** Re-derives the selection from the stored seed over the population as the sampling pool holds it now. */
  async verify(id: string, region: string) {
    const batch = await this.one(id, region);
    const now = await this.population(batch.countyCode, new Date(batch.periodStart), new Date(batch.periodEnd));
    const stored: Draw = { algorithm: batch.algorithm, seed: batch.seed, populationDigest: batch.populationDigest, population: batch.counts, required: batch.required, selected: batch.selected };
    return verify(stored, now, batch.ratioPercent, batch.relativesPercent);
  }

  private async population(countyCode: string, start: Date, end: Date): Promise<PopulationEntry[]> {
    const rows: { subject_id: string; relatives_case: boolean; complaint: boolean }[] = await this.dataSource.query(
      `SELECT subject_id, relatives_case, complaint FROM sampling_pool_entry WHERE county_code = $1 AND decided_at >= $2 AND decided_at < $3 ORDER BY subject_id`,
      [countyCode, start, end],
    );
    return rows.map((r) => ({ subjectId: r.subject_id, relativesCase: r.relatives_case, complaint: r.complaint }));
  }

  private async batchOf(countyCode: string, period: string) {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT b.*, (SELECT count(*) FROM sampling_review r WHERE r.batch_id = b.id)::int AS reviewed FROM sampling_batch b WHERE county_code = $1 AND period = $2`,
      [countyCode, period],
    );
    return rows[0] ? toBatch(rows[0]) : undefined;
  }
}

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
