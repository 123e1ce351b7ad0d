import { DataSource } from 'typeorm';
import { Role } from '../src/auth/roles';
import { OutboxDispatcher } from '../src/outbox/outbox.dispatcher';
import { type Actor, Scenario } from './support/scenario';

/** County sampling batches over the sampling pool: drawn once per county and month, verifiable by an auditor. */
describe('sampling batches', () => {
  const county: Actor = { roles: [Role.CountyCivilAffairs], region: '410821', id: 'county' };
  const otherCounty: Actor = { roles: [Role.CountyCivilAffairs], region: '410822', id: 'other' };
  let s: Scenario;

  beforeAll(async () => {
    s = await Scenario.start(new Date('2026-11-02T01:00:00Z'));
    const dataSource = s.app.get(DataSource);
    // Ten township decisions of October 2026 (Shanghai): two relatives' cases, one with a complaint; one of November.
    for (let i = 0; i < 11; i++) {
      await dataSource.query(
        `INSERT INTO sampling_pool_entry (subject_type, subject_id, decided_at, county_code, township_code, region_code, decision, relatives_case, complaint)
         VALUES ('dibao-case', $1, $2, '410821', '410821100', '410821100201', $3, $4, $5)`,
        [`case-${i}`, i < 10 ? `2026-10-${String(i + 10).padStart(2, '0')}T02:00:00Z` : '2026-11-01T02:00:00Z', i % 3 === 0 ? 'refuse' : 'approve', i < 2, i === 5],
      );
    }
  });

  afterAll(async () => {
    await s?.close();
  });

  it('draws at least 30% of the month’s decisions and 60% of its relatives’ cases, complaints always, once', async () => {
    const drawn = await s.post(county, '/api/v1/sampling/batches?county=410821&period=2026-10');
    expect(drawn.status).toBe(201);
    const batch = drawn.body;
    expect(batch).toMatchObject({ countyCode: '410821', period: '2026-10', ratioPercent: 30, relativesPercent: 60, counts: { decisions: 10, relativesCases: 2, complaints: 1 }, required: { total: 3, relatives: 2 } });
    const ids = batch.selected.map((x: { subjectId: string }) => x.subjectId);
    expect(ids).toEqual(expect.arrayContaining(['case-0', 'case-1', 'case-5']));
    expect(ids.length).toBeGreaterThanOrEqual(3);
    expect(ids).not.toContain('case-10');
    const again = await s.post(county, '/api/v1/sampling/batches?county=410821&period=2026-10');
    expect(again.body.seed).toBe(batch.seed);
    expect((await s.get(county, '/api/v1/sampling/batches')).body.items.map((b: { id: string }) => b.id)).toEqual([batch.id]);
    expect((await s.get(otherCounty, `/api/v1/sampling/batches/${batch.id}`)).status).toBe(404);
  });

  it('draws only a period that has ended: the current and a future month are refused, and nothing is locked', async () => {
    for (const period of ['2026-11', '2027-01']) {
      const refused = await s.post(county, `/api/v1/sampling/batches?county=410821&period=${period}`);
      expect(refused.status).toBe(400);
      expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'period' })]);
    }
    expect((await s.get(county, '/api/v1/sampling/batches')).body.items.map((b: { period: string }) => b.period)).toEqual(['2026-10']);
  });

  it('a draw by hand creates the county review task of every selected case, once', async () => {
    const [batch] = (await s.get(county, '/api/v1/sampling/batches')).body.items;
    const tasks = await s.until(
      'the county review tasks of the batch drawn by hand',
      async () => (await s.get(county, '/api/v1/tasks?elementId=Task_county_review')).body.items,
      (items) => items.length >= batch.selected.length,
    );
    expect(tasks).toHaveLength(batch.selected.length);
    expect(tasks.every((t: { subjectId: string; dueDate: string | null }) => t.subjectId === batch.id && t.dueDate !== null)).toBe(true);
    // Drawing again answers the stored batch and starts nothing more.
    await s.post(county, '/api/v1/sampling/batches?county=410821&period=2026-10');
    await s.app.get(OutboxDispatcher).runOnce();
    expect((await s.get(county, '/api/v1/tasks?elementId=Task_county_review')).body.items).toHaveLength(batch.selected.length);
  });

  it('verify re-derives the selection, and detects a population changed afterwards', async () => {
    const [batch] = (await s.get(county, '/api/v1/sampling/batches')).body.items;
    expect((await s.post(county, `/api/v1/sampling/batches/${batch.id}/verify`)).body).toEqual({ matches: true, differences: [] });
    await s.app.get(DataSource).query(`UPDATE sampling_pool_entry SET relatives_case = true WHERE subject_id = 'case-7'`);
    const changed = (await s.post(county, `/api/v1/sampling/batches/${batch.id}/verify`)).body;
    expect(changed.matches).toBe(false);
    expect(changed.differences).toContain('the population differs from the one drawn from');
  });
});
