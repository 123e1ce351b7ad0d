import { DataSource } from 'typeorm';
import { Role } from '../src/auth/roles';
import { strictClient } from './support/engine';
import { seedEnrolments } from './support/enrolments';
import { type Actor, Scenario } from './support/scenario';

/**
 * POST /api/v1/payment-cycles?county=&month= (issue 21, "Cycles by hand"): a county runs or resumes its cycle through
 * bpmn/monthly-payment-cycle.bpmn, and the 25th's timer, a repeat and a manual run make one cycle in any order.
 */
describe('running a payment cycle by hand', () => {
  const COUNTY = '410821';
  const civilAffairs: Actor = { roles: [Role.CountyCivilAffairs], region: COUNTY, id: 'county-zhang' };
  const province: Actor = { roles: [Role.CountyCivilAffairs], region: '410000', id: 'province-li' };
  const finance: Actor = { roles: [Role.CountyFinance], region: COUNTY, id: 'finance-wu' };
  let s: Scenario;

  beforeAll(async () => {
    s = await Scenario.start(new Date('2026-09-24T01:00:00Z'));
    await seedEnrolments(s.app.get(DataSource), { countyCode: COUNTY, count: 3, fromMonth: '2026-10-01' });
  });

  afterAll(async () => {
    await s?.close();
  });

  const engine = () => strictClient(s.testApp.config.ZEEBE_REST_ADDRESS!);
  const run = (actor: Actor, query: string) => s.post(actor, `/api/v1/payment-cycles?${query}`);
  const cycles = async () => (await s.get(civilAffairs, '/api/v1/payment-cycles')).body as { id: string; month: string; lineCount: number | null; processInstanceKey: string | null }[];
  const cycleOf = async (month: string) => (await cycles()).filter((c) => c.month === month);
  const dataTasks = async () => ((await s.get(civilAffairs, '/api/v1/tasks?elementId=Task_data_entered')).body.items as { processInstanceKey: string }[]) ?? [];
  const audited = async () =>
    (await s.app.get(DataSource).query(`SELECT actor_id, region_code, subject_id, details FROM audit_event WHERE action = 'payments.cycle-run-by-hand' ORDER BY id`)) as {
      actor_id: string;
      region_code: string;
      subject_id: string;
      details: { county: string; month: string; outcome: string };
    }[];
  const endedElsewhere = async () =>
    ((await engine().searchElementInstances({ filter: { elementId: 'EndEvent_run_elsewhere' }, page: { limit: 100 } } as never, { consistency: { waitUpToMs: 0 } })).items ?? []).filter((e) => e.state === 'COMPLETED').length;

  it('is documented with its query (the examples test sends its example: 410821, October 2026)', async () => {
    const doc = (await s.get(civilAffairs, '/api/docs/openapi.json')).body;
    const operation = doc.paths['/api/v1/payment-cycles'].post;
    expect(operation.summary).toMatch(/^手动运行.* Run/);
    const parameters = Object.fromEntries((operation.parameters as { name: string; in: string; required: boolean; example?: unknown; schema?: { example?: unknown } }[]).map((p) => [p.name, p]));
    expect(parameters.county).toMatchObject({ in: 'query', required: true });
    expect(parameters.county!.example ?? parameters.county!.schema?.example).toBe('410821');
    expect(parameters.month!.example ?? parameters.month!.schema?.example).toBe('2026-10');
  });

  it('refuses a bad county or month naming the field, another county, another role; and changes nothing', async () => {
    const fields = async (actor: Actor, query: string) => {
      const response = await run(actor, query);
      return { status: response.status, fields: ((response.body.errors ?? []) as { field: string }[]).map((e) => e.field) };
    };
    expect(await fields(province, 'county=419999&month=2026-10')).toEqual({ status: 400, fields: ['county'] });
    expect(await fields(province, 'county=410800&month=2026-10')).toEqual({ status: 400, fields: ['county'] });
    expect(await fields(civilAffairs, 'county=4108211&month=2026-10')).toEqual({ status: 400, fields: ['county'] });
    expect(await fields(civilAffairs, 'month=2026-10')).toEqual({ status: 400, fields: ['county'] });
    expect(await fields(civilAffairs, 'county=410821&month=2026-13')).toEqual({ status: 400, fields: ['month'] });
    expect(await fields(civilAffairs, 'county=410821&month=202610')).toEqual({ status: 400, fields: ['month'] });
    // Two months ahead of the service clock (2026-09-24): a cycle would pay a month that has not come.
    expect(await fields(civilAffairs, 'county=410821&month=2026-11')).toEqual({ status: 400, fields: ['month'] });
    expect((await run(civilAffairs, 'county=410822&month=2026-10')).status).toBe(403);
    expect((await run(finance, 'county=410821&month=2026-10')).status).toBe(403);
    expect(await cycles()).toEqual([]);
    expect(await audited()).toEqual([]);
  });

  it('run twice: one cycle (201 with Location, then 200), one instance, both runs audited', async () => {
    const first = await run(civilAffairs, 'county=410821&month=2026-10');
    expect(first.status).toBe(201);
    expect(first.headers.location).toBe(`/api/v1/payment-cycles/${first.body.id}`);
    expect(first.body).toMatchObject({ countyCode: COUNTY, month: '2026-10' });
    const [cycle] = await s.until('the cycle generated', () => cycleOf('2026-10'), (list) => list.length === 1 && list[0]!.lineCount === 3 && list[0]!.processInstanceKey !== null);
    await s.until('its data-entry task', dataTasks, (tasks) => tasks.length === 1);

    const second = await run(civilAffairs, 'county=410821&month=2026-10');
    expect(second.status).toBe(200);
    expect(second.headers.location).toBeUndefined();
    expect(second.body).toMatchObject({ id: cycle!.id, processInstanceKey: cycle!.processInstanceKey });
    expect(await cycleOf('2026-10')).toHaveLength(1);
    expect(await dataTasks()).toHaveLength(1);
    expect(await audited()).toEqual([
      { actor_id: 'county-zhang', region_code: COUNTY, subject_id: cycle!.id, details: { county: COUNTY, month: '2026-10', outcome: 'created' } },
      { actor_id: 'county-zhang', region_code: COUNTY, subject_id: cycle!.id, details: { county: COUNTY, month: '2026-10', outcome: 'running' } },
    ]);
  });

  it('the 25th after a manual run: still one cycle, the timer instance ends at Gateway_run_here', async () => {
    const [before] = await cycleOf('2026-10');
    await s.moveTo(new Date('2026-09-25T00:00:00Z'));
    await s.until('the timer instance ended elsewhere', endedElsewhere, (n) => n === 1);
    const after = await cycleOf('2026-10');
    expect(after).toHaveLength(1);
    expect(after[0]!.processInstanceKey).toBe(before!.processInstanceKey);
    expect(await dataTasks()).toHaveLength(1);
    const deadlines = await s.app.get(DataSource).query(`SELECT type FROM deadline WHERE subject_id = $1 ORDER BY type`, [before!.id]);
    expect(deadlines.map((d: { type: string }) => d.type)).toEqual(['payment.credited', 'payment.data', 'payment.funds']);
  });

  it('a manual run after the 25th answers the timer cycle (200); after its instance was cancelled, it resumes it', async () => {
    await s.moveTo(new Date('2026-10-25T00:00:00Z'));
    const [timerCycle] = await s.until('the November cycle by timer', () => cycleOf('2026-11'), (list) => list.length === 1 && list[0]!.processInstanceKey !== null && list[0]!.lineCount !== null);
    const again = await run(civilAffairs, 'county=410821&month=2026-11');
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: timerCycle!.id, processInstanceKey: timerCycle!.processInstanceKey });

    // A called instance cannot be cancelled alone (Zeebe): its parent, the 25th's monthly-payment, is.
    const child = await engine().getProcessInstance({ processInstanceKey: timerCycle!.processInstanceKey as never }, { consistency: { waitUpToMs: 0 } });
    await engine().cancelProcessInstance({ processInstanceKey: child.parentProcessInstanceKey as never });
    const resumed = await run(civilAffairs, 'county=410821&month=2026-11');
    expect(resumed.status).toBe(200);
    const [now] = await s.until('the cycle in a new instance', () => cycleOf('2026-11'), (list) => list[0]!.processInstanceKey !== timerCycle!.processInstanceKey);
    expect(now!.id).toBe(timerCycle!.id);
    await s.until('its data-entry task again', dataTasks, (tasks) => tasks.some((t) => t.processInstanceKey === now!.processInstanceKey));
    expect((await audited()).slice(-2).map((a) => a.details.outcome)).toEqual(['running', 'resumed']);
  });

  it('two runs at once of a new county-month: one 201, one 200, one cycle, one instance', async () => {
    const other = '410822';
    const answers = await Promise.all([run(province, `county=${other}&month=2026-11`), run(province, `county=${other}&month=2026-11`)]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 201]);
    expect(answers[0]!.body.id).toBe(answers[1]!.body.id);
    const rows = await s.app.get(DataSource).query(`SELECT process_instance_key FROM payment_cycle WHERE county_code = $1`, [other]);
    expect(rows).toHaveLength(1);
    const outcomes = (await audited()).filter((a) => a.details.county === other).map((a) => a.details.outcome);
    expect(outcomes).toEqual(['created', 'running']);
    const starts = await s.app.get(DataSource).query(`SELECT 1 FROM engine_outbox WHERE subject_type = 'payment-cycle' AND subject_id = $1`, [answers[0]!.body.id]);
    expect(starts).toHaveLength(1);
  });
});
