import { Role } from '../src/auth/roles';
import { DeadlineSweeper } from '../src/sla/deadline-sweeper';
import { type Actor, Scenario } from './support/scenario';

/**
 * Supervisors' deadline views. The acceptance deadline has no timer in the model: the sweeper records its breach.
 * Jiaozuo profile: acceptance within 5 working days (baseline, provisional).
 */
describe('SLA: deadlines, breaches, region scope', () => {
  const VILLAGE = '410821100201';
  const integrator: Actor = { roles: [Role.Integrator], region: '410821', id: 'portal' };
  const caseworker: Actor = { roles: [Role.TownshipCaseworker], region: '410821100', id: 'caseworker' };
  const countySupervisor: Actor = { roles: [Role.Supervisor], region: '410821', id: 'county-supervisor' };
  const townshipSupervisor: Actor = { roles: [Role.Supervisor], region: '410821100', id: 'township-supervisor' };
  const otherTownshipSupervisor: Actor = { roles: [Role.Supervisor], region: '410821101', id: 'other-supervisor' };
  // Monday 2026-09-14 09:00 Shanghai: the 5th working day is the make-up Sunday 20 Sep; due at its 24:00 (16:00 UTC).
  const START = new Date('2026-09-14T01:00:00Z');
  const ACCEPTANCE_DUE = '2026-09-20T15:59:59.999Z';
  let s: Scenario;

  beforeEach(async () => {
    s = await Scenario.start(START);
  });

  afterEach(async () => {
    await s?.close();
  });

  let sequence = 100;
  const apply = (village = VILLAGE) => s.apply(integrator, Scenario.application(village, '吴九', '19580101', String(sequence++)));
  const deadlines = async (actor: Actor, query = '') => (await s.get(actor, `/api/v1/sla/deadlines?limit=200&type=dibao.acceptance${query}`)).body.items;

  it('the sweeper marks an acceptance the township let pass exactly once, at its due time', async () => {
    const caseId = await apply();
    let open = await deadlines(countySupervisor, '&status=open');
    expect(open).toEqual([expect.objectContaining({ subjectId: caseId, dueAt: ACCEPTANCE_DUE, status: 'open', rule: 'acceptanceWorkingDays = 5' })]);
    await s.moveTo(new Date('2026-09-19T12:00:00Z'));
    expect((await deadlines(countySupervisor, '&status=at-risk')).map((d: { subjectId: string }) => d.subjectId)).toEqual([caseId]);
    await s.moveTo(new Date('2026-09-20T16:00:00Z'));
    const sweeper = s.app.get(DeadlineSweeper);
    expect(await sweeper.sweep()).toBe(1);
    expect(await sweeper.sweep()).toBe(0);
    const breached = await deadlines(countySupervisor, '&status=breached');
    expect(breached).toEqual([expect.objectContaining({ subjectId: caseId, breachedAt: ACCEPTANCE_DUE, caseNumber: expect.stringMatching(/^DB410821-2026-\d{6}$/), regionName: expect.any(String) })]);
    open = await deadlines(countySupervisor, '&status=open');
    expect(open).toEqual([]);
    const summary = (await s.get(countySupervisor, '/api/v1/sla/summary')).body;
    expect(summary).toEqual([expect.objectContaining({ region: '410821100', name: '城关镇', breached: 1 })]);
    // By deadline type, for the dashboard's chart: the acceptance breached, the procedure's own deadline still open.
    expect(summary[0].byType).toEqual(expect.arrayContaining([{ type: 'dibao.acceptance', open: 0, atRisk: 0, breached: 1, met: 0 }]));
  });

  it('a deadline met one second before it falls due is not a breach', async () => {
    const caseId = await apply();
    await s.moveTo(new Date('2026-09-20T15:59:58.999Z'));
    await s.completeTask(caseId, 'Task_accept', caseworker, { materialsComplete: true });
    await s.until('acceptance to be met', () => deadlines(countySupervisor, '&status=met'), (list) => list.length === 1);
    await s.moveTo(new Date('2026-09-21T01:00:00Z'));
    expect(await s.app.get(DeadlineSweeper).sweep()).toBe(0);
    expect(await deadlines(countySupervisor, '&status=breached')).toEqual([]);
  });

  it('a township supervisor sees its township only; the county supervisor sees all its townships', async () => {
    const here = await apply();
    const there = await apply('410821101202');
    const ids = (list: { subjectId: string }[]) => list.map((d) => d.subjectId).sort();
    expect(ids(await deadlines(countySupervisor))).toEqual([here, there].sort());
    expect(ids(await deadlines(townshipSupervisor))).toEqual([here]);
    expect(ids(await deadlines(otherTownshipSupervisor))).toEqual([there]);
    expect((await s.get(townshipSupervisor, '/api/v1/sla/deadlines?region=410821')).status).toBe(403);
    expect((await s.get(otherTownshipSupervisor, `/api/v1/sla/cases/dibao-case/${here}/audit`)).status).toBe(404);
    expect((await s.get(townshipSupervisor, `/api/v1/sla/cases/dibao-case/${here}/audit`)).body[0]).toMatchObject({ action: 'dibao.applied' });
  });
});
