import fc from 'fast-check';
import { draw, DRAW_ALGORITHM, minimum, type PopulationEntry, verify } from './draw';

const population = (n: number, m: number, complaints: number[] = []): PopulationEntry[] =>
  Array.from({ length: n }, (_, i) => ({ subjectId: `case-${String(i).padStart(3, '0')}`, relativesCase: i < m, complaint: complaints.includes(i) }));

describe('county sampling draw (seed 004: ≥ 30% of decisions, ≥ 60% of relatives’ cases, complaints always)', () => {
  it.each([
    [0, 0, 0, 0],
    [1, 0, 1, 0],
    [1, 1, 1, 1],
    [3, 0, 1, 0],
    [3, 1, 1, 1],
    [10, 0, 3, 0],
    [10, 1, 3, 1],
    [10, 5, 3, 3],
    [40, 0, 12, 0],
    [40, 1, 12, 1],
    [40, 5, 12, 3],
  ])('N = %i, M = %i: at least %i decisions and %i relatives’ cases, never fewer', (n, m, total, relatives) => {
    const result = draw(population(n, m), 30, 60, 'seed-2026-10');
    expect(result.required).toEqual({ total, relatives });
    expect(result.selected.length).toBeGreaterThanOrEqual(total);
    expect(result.selected.filter((s) => s.subjectId < `case-${String(m).padStart(3, '0')}`).length).toBeGreaterThanOrEqual(relatives);
    // No more than needed: the relatives' minimum may push the total above the 30% minimum, never beyond both.
    expect(result.selected.length).toBeLessThanOrEqual(Math.max(total, relatives));
  });

  it('selects every complaint case, beyond the minimums when it must', () => {
    const result = draw(population(10, 0, [1, 4, 6, 8]), 30, 60, 'seed');
    expect(result.selected.filter((s) => s.reasons.includes('complaint')).map((s) => s.subjectId).sort()).toEqual(['case-001', 'case-004', 'case-006', 'case-008']);
    expect(result.selected).toHaveLength(4);
  });

  it('takes every relatives’ case when a profile requires 100%', () => {
    const result = draw(population(40, 5), 30, 100, 'seed');
    expect(result.selected.filter((s) => s.subjectId <= 'case-004')).toHaveLength(5);
  });

  it('counts a case listed twice once, its flags combined', () => {
    const result = draw([...population(3, 0), { subjectId: 'case-001', relativesCase: true, complaint: false }], 30, 60, 'seed');
    expect(result.population).toEqual({ decisions: 3, relativesCases: 1, complaints: 0 });
  });

  it('rounds the minimums up in whole numbers: 30% of 7 is 3, 60% of 2 is 2', () => {
    expect(minimum(30, 7)).toBe(3);
    expect(minimum(60, 2)).toBe(2);
    expect(minimum(30, 10)).toBe(3);
    expect(() => minimum(130, 1)).toThrow('whole percentage');
  });

  it('is reproducible: same seed and population, same selection, in any input order; another seed, another draw', () => {
    const a = draw(population(40, 5), 30, 60, 'seed-A');
    expect(draw([...population(40, 5)].reverse(), 30, 60, 'seed-A')).toEqual(a);
    expect(a.algorithm).toBe(DRAW_ALGORITHM);
    expect(draw(population(40, 5), 30, 60, 'seed-B').selected).not.toEqual(a.selected);
  });

  it('verify re-derives the draw and detects a changed population', () => {
    const stored = draw(population(40, 5), 30, 60, 'seed-A');
    expect(verify(stored, population(40, 5), 30, 60)).toEqual({ matches: true, differences: [] });
    const changed = population(40, 5);
    changed[20] = { ...changed[20]!, relativesCase: true };
    expect(verify(stored, changed, 30, 60).differences).toContain('the population differs from the one drawn from');
    expect(verify(stored, population(39, 5), 30, 60).matches).toBe(false);
  });

  it('property: every minimum is met and every complaint is in, for any population and ratios', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.record({ subjectId: fc.string({ minLength: 1, maxLength: 8 }), relativesCase: fc.boolean(), complaint: fc.boolean() }), { selector: (e) => e.subjectId, maxLength: 60 }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 100 }),
        fc.string({ minLength: 1 }),
        (entries, ratio, relativesRatio, seed) => {
          const result = draw(entries, ratio, relativesRatio, seed);
          const chosen = new Set(result.selected.map((s) => s.subjectId));
          expect(chosen.size).toBe(result.selected.length);
          expect(chosen.size).toBeGreaterThanOrEqual(minimum(ratio, entries.length));
          expect(entries.filter((e) => e.relativesCase && chosen.has(e.subjectId)).length).toBeGreaterThanOrEqual(minimum(relativesRatio, entries.filter((e) => e.relativesCase).length));
          for (const e of entries) if (e.complaint) expect(chosen.has(e.subjectId)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
