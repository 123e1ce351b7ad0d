import { createHash } from 'node:crypto';

/**
 * The county's random draw of township decisions (seed 004: at least 30% of decisions, refusals included, and at
 * least 60% of relatives' cases; complaint cases always). Reproducible: each case's rank is the SHA-256 of the seed
 * and its id, so the seed, the algorithm version and the population re-derive the same selection for an auditor.
 */

export const DRAW_ALGORITHM = 'sha256-rank-v1';

export interface PopulationEntry {
  subjectId: string;
  relativesCase: boolean;
  complaint: boolean;
}

export type SelectionReason = 'complaint' | 'relatives' | 'random';

export interface Draw {
  algorithm: string;
  seed: string;
  /** SHA-256 of the population (ids and flags, in id order): verify detects any change. */
  populationDigest: string;
  population: { decisions: number; relativesCases: number; complaints: number };
  required: { total: number; relatives: number };
  selected: { subjectId: string; reasons: SelectionReason[] }[];
}

export class DrawError extends Error {}

/** ceil(percent × n / 100) in integers: the minimum a ratio requires. */
export function minimum(percent: number, n: number): number {
  if (!Number.isInteger(percent) || percent < 0 || percent > 100) throw new DrawError(`a ratio must be a whole percentage 0–100 (got ${percent})`);
  return Math.ceil((percent * n) / 100);
}

export function draw(population: PopulationEntry[], ratioPercent: number, relativesRatioPercent: number, seed: string): Draw {
  if (!seed) throw new DrawError('a draw needs a seed');
  const entries = normalise(population);
  const ranked = [...entries].sort((a, b) => compare(rank(seed, a.subjectId), rank(seed, b.subjectId)) || compare(a.subjectId, b.subjectId));
  const relatives = ranked.filter((e) => e.relativesCase);
  const required = { total: minimum(ratioPercent, entries.length), relatives: minimum(relativesRatioPercent, relatives.length) };
  const reasons = new Map<string, SelectionReason[]>();
  const select = (entry: PopulationEntry, reason: SelectionReason) => reasons.set(entry.subjectId, [...(reasons.get(entry.subjectId) ?? []), reason]);
  for (const entry of ranked) if (entry.complaint) select(entry, 'complaint');
  for (const entry of relatives) {
    if (relatives.filter((r) => reasons.has(r.subjectId)).length >= required.relatives) break;
    if (!reasons.has(entry.subjectId)) select(entry, 'relatives');
  }
  for (const entry of ranked) {
    if (reasons.size >= required.total) break;
    if (!reasons.has(entry.subjectId)) select(entry, 'random');
  }
  return {
    algorithm: DRAW_ALGORITHM,
    seed,
    populationDigest: digest(entries),
    population: { decisions: entries.length, relativesCases: relatives.length, complaints: entries.filter((e) => e.complaint).length },
    required,
    selected: ranked.filter((e) => reasons.has(e.subjectId)).map((e) => ({ subjectId: e.subjectId, reasons: reasons.get(e.subjectId)! })),
  };
}

/** Re-derives a stored draw from its seed over the population as it is now; any difference is reported. */
export function verify(stored: Draw, population: PopulationEntry[], ratioPercent: number, relativesRatioPercent: number): { matches: boolean; differences: string[] } {
  if (stored.algorithm !== DRAW_ALGORITHM) return { matches: false, differences: [`algorithm ${stored.algorithm} is not ${DRAW_ALGORITHM}`] };
  const again = draw(population, ratioPercent, relativesRatioPercent, stored.seed);
  const differences: string[] = [];
  if (again.populationDigest !== stored.populationDigest) differences.push('the population differs from the one drawn from');
  const ids = (d: Draw) => d.selected.map((s) => s.subjectId).join(',');
  if (ids(again) !== ids(stored)) differences.push('the selection differs from the stored one');
  return { matches: differences.length === 0, differences };
}

/** One entry per case (a case listed twice counts once, its flags combined), in id order. */
function normalise(population: PopulationEntry[]): PopulationEntry[] {
  const byId = new Map<string, PopulationEntry>();
  for (const entry of population) {
    const seen = byId.get(entry.subjectId);
    byId.set(entry.subjectId, seen ? { subjectId: entry.subjectId, relativesCase: seen.relativesCase || entry.relativesCase, complaint: seen.complaint || entry.complaint } : { ...entry });
  }
  return [...byId.values()].sort((a, b) => compare(a.subjectId, b.subjectId));
}

function rank(seed: string, subjectId: string): string {
  return createHash('sha256').update(`${seed}\n${subjectId}`).digest('hex');
}

function digest(entries: PopulationEntry[]): string {
  return createHash('sha256')
    .update(entries.map((e) => `${e.subjectId}|${e.relativesCase ? 1 : 0}|${e.complaint ? 1 : 0}`).join('\n'))
    .digest('hex');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
