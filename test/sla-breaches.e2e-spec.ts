import request from 'supertest';
import { DataSource } from 'typeorm';
import { Role } from '../src/auth/roles';
import { DeadlineSweeper } from '../src/sla/deadline-sweeper';
import { type Actor, Scenario } from './support/scenario';

/**
 * Every deadline type of the dibao procedure, breached by moving the clock: the procedure limit by the model's
 * timer, the others by the sweeper; each shows in the supervisors' API and in /metrics.
 */
describe('SLA: every dibao deadline type breached', () => {
  const VILLAGE = '410821100201';
  const integrator: Actor = { roles: [Role.Integrator], region: '410821', id: 'portal' };
  const caseworker: Actor = { roles: [Role.TownshipCaseworker], region: '410821100', id: 'caseworker' };
  const leader: Actor = { roles: [Role.TownshipLeader], region: '410821100', id: 'leader' };
  const supervisor: Actor = { roles: [Role.Supervisor], region: '410821', id: 'supervisor' };
  let s: Scenario;

  beforeAll(async () => {
    s = await Scenario.start(new Date('2026-09-14T01:00:00Z'));
  });

  afterAll(async () => {
    await s?.close();
  });

  let sequence = 100;
  const apply = () => s.apply(integrator, Scenario.application(VILLAGE, '郑十', '19550505', String(sequence++)));
  const complete = (caseId: string, elementId: string, actor: Actor, variables: Record<string, unknown>) => s.completeTask(caseId, elementId, actor, variables);
  const breached = async () => (await s.get(supervisor, '/api/v1/sla/deadlines?limit=200&status=breached')).body.items as { type: string; subjectId: string }[];

  it('breaches acceptance, investigation, procedure, refusal notice and follow-up, once each', async () => {
    const neverAccepted = await apply();
    const neverInvestigated = await apply();
    await complete(neverInvestigated, 'Task_accept', caseworker, { materialsComplete: true });
    const refused = await apply();
    await complete(refused, 'Task_accept', caseworker, { materialsComplete: true });
    await complete(refused, 'Task_investigation', caseworker, { householdConfirmed: true, investigators: '甲、乙', investigationSummary: '核实' });
    await complete(refused, 'Task_proposal', caseworker, { proposal: 'refuse', proposalReasons: '不符合' });
    await complete(refused, 'Task_leader_decision', leader, { decision: 'refuse', decisionReasons: '家庭财产超过规定' });
    await s.until('the refusal', async () => (await s.get(caseworker, `/api/v1/dibao/cases/${refused}`)).body.status, (status) => status === 'refused');

    // Past the 30-working-day limit (Fri 30 Oct 24:00): the model's timer breaches and escalates the procedure.
    await s.moveTo(new Date('2026-10-30T16:00:00Z'));
    await s.until('the procedure breach', breached, (list) => list.some((d) => d.type === 'dibao.procedure' && d.subjectId === neverInvestigated));
    // Past the county's 5 working days to follow up; the sweeper records what no timer watches.
    await s.moveTo(new Date('2026-11-06T16:00:00Z'));
    const sweeper = s.app.get(DeadlineSweeper);
    expect(await sweeper.sweep()).toBe(4);
    expect(await sweeper.sweep()).toBe(0);
    const types = (await breached()).map((d) => `${d.type} ${d.subjectId === neverAccepted ? 'A' : d.subjectId === neverInvestigated ? 'I' : 'R'}`).sort();
    expect(types).toEqual(['dibao.acceptance A', 'dibao.follow-up I', 'dibao.investigation I', 'dibao.procedure I', 'dibao.refusal-notice R']);

    const metrics = (await request(s.app.getHttpServer()).get('/metrics')).text;
    for (const type of ['dibao.acceptance', 'dibao.investigation', 'dibao.procedure', 'dibao.refusal-notice', 'dibao.follow-up']) {
      expect(metrics).toMatch(new RegExp(`doudi_deadlines\\{[^}]*type="${type.replace('.', '\\.')}"[^}]*status="breached"[^}]*\\} 1`));
    }
  });

  it('the sweeper marks a breach whose timer path left no trace, exactly once', async () => {
    const dataSource = s.app.get(DataSource);
    // Undo what the procedure timer's path wrote, as if it had never run.
    await dataSource.query(`UPDATE deadline SET breached_at = NULL, escalated_at = NULL WHERE type = 'dibao.procedure'`);
    const sweeper = s.app.get(DeadlineSweeper);
    expect(await sweeper.sweep()).toBe(1);
    expect(await sweeper.sweep()).toBe(0);
    const [row] = await dataSource.query(`SELECT breached_at, due_at FROM deadline WHERE type = 'dibao.procedure' AND breached_at IS NOT NULL`);
    expect(row.breached_at).toEqual(row.due_at);
  });
});
