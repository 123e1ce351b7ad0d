import { Role } from '../src/auth/roles';
import { DeadlineSweeper } from '../src/sla/deadline-sweeper';
import { strictClient } from './support/engine';
import { type Actor, Scenario } from './support/scenario';

/**
 * Issue 15: a deadline closes when its step is done, at the moment the person acted — not at the final decision,
 * not when a worker ran — and an extension moves the procedure's deadline, so nothing breaches before it.
 */
const VILLAGE = '410821100201';
const integrator: Actor = { roles: [Role.Integrator], region: '410821', id: 'portal' };
const caseworker: Actor = { roles: [Role.TownshipCaseworker], region: '410821100', id: 'caseworker-wang' };
const leader: Actor = { roles: [Role.TownshipLeader], region: '410821100', id: 'leader-li' };
const county: Actor = { roles: [Role.CountyCivilAffairs], region: '410821', id: 'county-chen' };
const supervisor: Actor = { roles: [Role.Supervisor], region: '410821', id: 'supervisor' };
/** Monday 2026-09-14, 09:00 in Shanghai. */
const START = new Date('2026-09-14T01:00:00Z');

describe('deadlines met when their step is done', () => {
  let s: Scenario;
  let sequence = 200;

  beforeEach(async () => {
    s = await Scenario.start(START);
  });

  afterEach(async () => {
    await s?.close();
  });

  type Deadline = { type: string; dueAt: string; metAt: string | null; breachedAt: string | null; dueHistory: { dueAt: string }[] };
  const deadline = async (caseId: string, type: string): Promise<Deadline | undefined> =>
    ((await s.get(caseworker, `/api/v1/dibao/cases/${caseId}`)).body.deadlines as Deadline[]).find((d) => d.type === type);
  const apply = () => s.apply(integrator, Scenario.application(VILLAGE, '冯秋分', '19620303', String(sequence++)));
  /** The engine's completion instant of the instance's last task at `elementId`: the act. */
  const completedAt = async (caseId: string, elementId: string) => {
    const processInstanceKey = (await s.get(caseworker, `/api/v1/dibao/cases/${caseId}`)).body.processInstanceKey;
    const { items } = await strictClient(s.testApp.config.ZEEBE_REST_ADDRESS!).searchUserTasks({ filter: { processInstanceKey, elementId, state: 'COMPLETED' } as never }, { consistency: { waitUpToMs: 0 } });
    return new Date(items[0]!.completionDate!).toISOString();
  };
  const met = (caseId: string, type: string) => s.until(`${type} met`, () => deadline(caseId, type), (d) => d?.metAt != null) as Promise<Deadline>;

  it('meets acceptance and investigation when their tasks are completed, each at its completion', async () => {
    const caseId = await apply();
    await s.moveTo(new Date(START.getTime() + 3_600_000));
    await s.completeTask(caseId, 'Task_accept', caseworker, { materialsComplete: true });
    expect((await met(caseId, 'dibao.acceptance')).metAt).toBe(await completedAt(caseId, 'Task_accept'));
    await s.moveTo(new Date('2026-09-15T02:00:00Z'));
    await s.completeTask(caseId, 'Task_investigation', caseworker, { householdConfirmed: true, investigators: '王五、赵六', investigationSummary: '入户核实，情况属实' });
    // Met now, while the case is still far from its decision.
    const investigation = await met(caseId, 'dibao.investigation');
    expect(investigation.metAt).toBe(await completedAt(caseId, 'Task_investigation'));
    expect(investigation.breachedAt).toBeNull();
    expect((await deadline(caseId, 'dibao.procedure'))!.metAt).toBeNull();
  });

  it('meets the refusal notice when it is delivered', async () => {
    const caseId = await apply();
    await s.completeTask(caseId, 'Task_accept', caseworker, { materialsComplete: true });
    await s.completeTask(caseId, 'Task_investigation', caseworker, { householdConfirmed: true, investigators: '王五、赵六', investigationSummary: '入户核实，情况属实' });
    await s.completeTask(caseId, 'Task_proposal', caseworker, { proposal: 'refuse', proposalReasons: '收入超过标准' });
    await s.completeTask(caseId, 'Task_leader_decision', leader, { decision: 'refuse', decisionReasons: '家庭人均收入超过低保标准' });
    await s.moveTo(new Date('2026-09-16T03:00:00Z'));
    await s.completeTask(caseId, 'Task_deliver_refusal', caseworker, { deliveredTo: '申请人本人', deliveryNotes: '当面送达' });
    const notice = await met(caseId, 'dibao.refusal-notice');
    expect(notice.metAt).toBe(await completedAt(caseId, 'Task_deliver_refusal'));
    // Long after the delivery, nothing is breached.
    await s.moveTo(new Date('2026-12-31T00:00:00Z'));
    const deadlines = (await s.get(supervisor, `/api/v1/sla/deadlines?limit=200&status=breached`)).body.items as { subjectId: string }[];
    expect(deadlines.filter((d) => d.subjectId === caseId)).toEqual([]);
  });

  it('moves the procedure deadline with an extension: the new instant in the case and SLA views, no breach before it', async () => {
    const caseId = await apply();
    await s.completeTask(caseId, 'Task_accept', caseworker, { materialsComplete: true });
    expect((await s.until('acceptance', () => deadline(caseId, 'dibao.procedure'), (d) => d !== undefined))!.dueAt).toBe('2026-10-30T15:59:59.999Z');
    expect((await s.post(county, `/api/v1/dibao/cases/${caseId}/extension`, { reason: '需跨省核对外出务工收入' })).status).toBe(204);
    // 45 working days from Monday 2026-09-14 (make-up 09-20 and 10-10 counted, 中秋 and 国庆 not): Friday 2026-11-20.
    const extended = (await deadline(caseId, 'dibao.procedure'))!;
    expect(extended.dueAt).toBe('2026-11-20T15:59:59.999Z');
    expect(extended.dueHistory.map((h) => h.dueAt)).toEqual(['2026-10-30T15:59:59.999Z']);
    const sla = (await s.get(supervisor, '/api/v1/sla/deadlines?limit=200&type=dibao.procedure')).body.items.find((d: { subjectId: string }) => d.subjectId === caseId);
    expect(sla).toMatchObject({ dueAt: '2026-11-20T15:59:59.999Z', rule: 'procedureExtendedWorkingDays = 45' });
    // Past the 30-day limit: neither the sweeper nor the engine marks a breach.
    await s.moveTo(new Date('2026-11-02T00:00:00Z'));
    await s.app.get(DeadlineSweeper).sweep();
    expect((await deadline(caseId, 'dibao.procedure'))!.breachedAt).toBeNull();
    // At the extended limit the engine's watch escalates, then the county follows up and that deadline is met.
    await s.moveTo(new Date('2026-11-20T16:00:00Z'));
    await s.until('the breach at the extended limit', () => deadline(caseId, 'dibao.procedure'), (d) => d?.breachedAt != null);
    await s.completeTask(caseId, 'Task_county_follow_up', county, { followUpNotes: '已督促乡镇限期办结' });
    expect((await met(caseId, 'dibao.follow-up')).metAt).toBe(await completedAt(caseId, 'Task_county_follow_up'));
  });
});
