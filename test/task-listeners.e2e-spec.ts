import { DataSource } from 'typeorm';
import { Role } from '../src/auth/roles';
import { completeThroughEngine, strictClient } from './support/engine';

const NOW = { consistency: { waitUpToMs: 0 } };
import { type Actor, Scenario, type Task } from './support/scenario';

/**
 * Issue 20: a completion that does not come through our task API — Camunda Tasklist, a script, any client of the
 * engine's REST API — meets the same rules in the task listeners (src/tasks/task-listeners.ts): the form's rules, the
 * separation of duties, the audit trail. On the real current date.
 */
describe('task listeners: completions through the engine directly', () => {
  const VILLAGE = '410821100201';
  const integrator: Actor = { roles: [Role.Integrator], region: '410821', id: 'portal' };
  const caseworker: Actor = { roles: [Role.TownshipCaseworker], region: '410821100', id: 'caseworker-wang' };
  const leader: Actor = { roles: [Role.TownshipLeader], region: '410821100', id: 'leader-li' };
  let s: Scenario;
  let db: DataSource;
  let engine: ReturnType<typeof strictClient>;
  let sequence = 400;

  beforeAll(async () => {
    s = await Scenario.start(new Date());
    db = s.app.get(DataSource);
    engine = strictClient(s.testApp.config.ZEEBE_REST_ADDRESS!);
  });

  afterAll(async () => {
    await s?.close();
  });

  const newCase = () => s.apply(integrator, Scenario.application(VILLAGE, '孔德明', '19620505', String(sequence++)));
  const trail = async (caseId: string) =>
    (await db.query(`SELECT action, actor_id, details FROM audit_event WHERE subject_id = $1 AND action LIKE 'task.%' ORDER BY id`, [caseId])) as { action: string; actor_id: string; details: Record<string, unknown> }[];
  const rejection = (promise: Promise<unknown>) => promise.then(() => Promise.reject(new Error('expected the engine to refuse')), (error: { status?: number; detail?: string }) => error);
  const stillOpen = async (task: Task) => expect((await engine.getUserTask({ userTaskKey: task.userTaskKey as never }, NOW)).state).toBe('CREATED');

  it('denies an invalid value, naming the field and the rule; nothing is completed or audited as completed', async () => {
    const caseId = await newCase();
    const task = await s.taskOf(caseId, 'Task_accept', caseworker);
    const refused = await rejection(completeThroughEngine(engine, task, caseworker.id!, { materialsComplete: 'yes' }));
    expect(refused.status).toBe(409);
    expect(refused.detail).toContain('was denied by Task Listener');
    expect(refused.detail).toContain('materialsComplete');
    await stillOpen(task);
    const rows = await trail(caseId);
    expect(rows.map((r) => r.action)).toEqual(['task.completion-denied']);
    expect(rows[0]).toMatchObject({ actor_id: caseworker.id, details: { userTaskKey: task.userTaskKey, elementId: 'Task_accept' } });
  });

  it('denies a completion whose values it cannot see (Tasklist sends them with the completion only), saying where to do the step', async () => {
    const caseId = await newCase();
    const task = await s.taskOf(caseId, 'Task_accept', caseworker);
    const refused = await rejection(completeThroughEngine(engine, task, caseworker.id!, { materialsComplete: true }, null));
    expect(refused.status).toBe(409);
    expect(refused.detail).toContain(`/tasks/${task.userTaskKey}`);
    expect(refused.detail).toContain('camunda/camunda#24101');
    await stillOpen(task);
  });

  it('denies the decision to the caseworker who proposed it: the assignment, so the completion too', async () => {
    const caseId = await newCase();
    await s.completeTask(caseId, 'Task_accept', caseworker, { materialsComplete: true });
    await s.completeTask(caseId, 'Task_investigation', caseworker, { householdConfirmed: true, investigators: '王五、赵六', investigationSummary: '入户核实' });
    await s.completeTask(caseId, 'Task_proposal', caseworker, { proposal: 'approve', proposalReasons: '依据核算结果' });
    const decision = await s.taskOf(caseId, 'Task_leader_decision', leader);
    const refused = await rejection(completeThroughEngine(engine, decision, caseworker.id!, { decision: 'approve', decisionReasons: '同意纳入' }));
    expect(refused.status).toBe(409);
    expect(refused.detail).toContain('Assignment of the User Task');
    expect(refused.detail).toContain('职责分离');
    await stillOpen(decision);
    expect((await engine.getUserTask({ userTaskKey: decision.userTaskKey as never }, NOW)).assignee).toBeUndefined();
    expect((await trail(caseId)).at(-1)).toMatchObject({ action: 'task.assignment-denied', actor_id: caseworker.id });
  });

  it('audits a valid completion with its values and its performer, who then counts for the separation of duties', async () => {
    const caseId = await newCase();
    await s.completeTask(caseId, 'Task_accept', caseworker, { materialsComplete: true });
    const investigation = await s.taskOf(caseId, 'Task_investigation', caseworker);
    const values = { householdConfirmed: true, investigators: '王五、赵六', investigationSummary: '入户核实，申请人身份证 410821196205054004 已核对' };
    await completeThroughEngine(engine, investigation, 'caseworker-zhang', values);
    const completed = (await trail(caseId)).filter((r) => r.action === 'task.completed').at(-1)!;
    expect(completed).toMatchObject({
      actor_id: 'caseworker-zhang',
      details: { userTaskKey: investigation.userTaskKey, elementId: 'Task_investigation', channel: 'engine', values: { householdConfirmed: true, investigators: '王五、赵六' } },
    });
    // ID numbers are masked in the audit trail as through the API.
    expect(JSON.stringify(completed.details)).not.toContain('410821196205054004');
    await s.until('the proposal', () => s.taskOf(caseId, 'Task_proposal', caseworker).catch(() => undefined), (t) => t !== undefined);
    await s.completeTask(caseId, 'Task_proposal', caseworker, { proposal: 'approve', proposalReasons: '依据核算结果' });
    // The investigator of the Tasklist completion may not decide, through our API either.
    const decision = await s.taskOf(caseId, 'Task_leader_decision', leader);
    const zhang: Actor = { roles: [Role.TownshipLeader], region: '410821100', id: 'caseworker-zhang' };
    const claim = await s.post(zhang, `/api/v1/tasks/${decision.userTaskKey}/claim`);
    expect(claim.status).toBe(403);
    expect(claim.body).toMatchObject({ code: 'separation-of-duties', title: expect.stringContaining('caseworker-zhang 已办理本案“入户调查与经济状况核对') });
  });
});
