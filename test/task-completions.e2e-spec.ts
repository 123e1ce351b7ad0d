import { DataSource } from 'typeorm';
import { Role } from '../src/auth/roles';
import { AuditService } from '../src/audit/audit.service';
import { TaskCompletions } from '../src/tasks/task-completions';
import { completeThroughEngine, strictClient } from './support/engine';
import { type Actor, Scenario } from './support/scenario';

/**
 * Issue 15: a completion through the task API and its audit row are never separated by a crash. The audit row and
 * the intent commit before the engine is called; what a dead request left pending is settled from the engine.
 */
describe('task completions and their audit rows', () => {
  const VILLAGE = '410821100201';
  const integrator: Actor = { roles: [Role.Integrator], region: '410821', id: 'portal' };
  const caseworker: Actor = { roles: [Role.TownshipCaseworker], region: '410821100', id: 'caseworker-wang' };
  const START = new Date('2026-09-14T01:00:00Z');
  let s: Scenario;
  let db: DataSource;
  let sequence = 300;

  beforeAll(async () => {
    s = await Scenario.start(START);
    db = s.app.get(DataSource);
  });

  afterAll(async () => {
    await s?.close();
  });

  const acceptTask = async () => {
    const caseId = await s.apply(integrator, Scenario.application(VILLAGE, '韩立春', '19610404', String(sequence++)));
    return { caseId, task: await s.taskOf(caseId, 'Task_accept', caseworker) };
  };
  /** What a request that died after its commit and before the engine's answer leaves behind. */
  const interruptedRequest = async (caseId: string, userTaskKey: string) =>
    db.transaction(async (manager) => {
      const event = await s.app.get(AuditService).record({ actor: { id: caseworker.id! }, regionCode: VILLAGE, action: 'task.completed', subjectType: 'dibao-case', subjectId: caseId, details: { userTaskKey } }, manager);
      return s.app.get(TaskCompletions).begin({ userTaskKey, auditEventId: String(event.id), actorId: caseworker.id!, regionCode: VILLAGE, subjectType: 'dibao-case', subjectId: caseId, processDefinitionId: 'dibao-application', elementId: 'Task_accept' }, manager);
    });
  const outcome = async (id: string) => (await db.query(`SELECT outcome FROM task_completion WHERE id = $1`, [id]))[0].outcome;
  const actions = async (caseId: string): Promise<string[]> => (await db.query(`SELECT action FROM audit_event WHERE subject_id = $1 ORDER BY id`, [caseId])).map((r: { action: string }) => r.action);

  it('a completion through the API is audited and settled', async () => {
    const { caseId, task } = await acceptTask();
    await s.completeTask(caseId, 'Task_accept', caseworker, { materialsComplete: true });
    const [row] = await db.query(`SELECT outcome, audit_event_id::text FROM task_completion WHERE user_task_key = $1`, [task.userTaskKey]);
    expect(row.outcome).toBe('completed');
    const [audit] = await db.query(`SELECT action, details FROM audit_event WHERE id = $1`, [row.audit_event_id]);
    expect(audit).toMatchObject({ action: 'task.completed', details: { userTaskKey: task.userTaskKey } });
  });

  it('the engine completed it but the request died before settling: the audit row stands, settled as completed', async () => {
    const { caseId, task } = await acceptTask();
    const intent = await interruptedRequest(caseId, task.userTaskKey);
    await strictClient(s.testApp.config.ZEEBE_REST_ADDRESS!).completeUserTask({ userTaskKey: task.userTaskKey as never, variables: { materialsComplete: true } });
    // Not before its grace period: the request might still be on its way.
    expect(await s.app.get(TaskCompletions).reconcile()).toBe(0);
    s.clock.current = new Date(s.clock.current.getTime() + 180_000);
    expect(await s.app.get(TaskCompletions).reconcile()).toBeGreaterThanOrEqual(1);
    expect(await outcome(intent)).toBe('completed');
    expect((await actions(caseId)).filter((a) => a.startsWith('task.'))).toEqual(['task.completed']);
  });

  it('the request died before the engine was called: the task is still open, and the trail says the completion did not happen', async () => {
    const { caseId, task } = await acceptTask();
    const intent = await interruptedRequest(caseId, task.userTaskKey);
    s.clock.current = new Date(s.clock.current.getTime() + 180_000);
    await s.app.get(TaskCompletions).reconcile();
    expect(await outcome(intent)).toBe('abandoned');
    expect((await actions(caseId)).filter((a) => a.startsWith('task.'))).toEqual(['task.completed', 'task.completion-abandoned']);
    // The caseworker can still complete it, once.
    await s.completeTask(caseId, 'Task_accept', caseworker, { materialsComplete: true });
    expect((await actions(caseId)).filter((a) => a.startsWith('task.'))).toEqual(['task.completed', 'task.completion-abandoned', 'task.completed']);
  });

  it('a task completed elsewhere a moment before is refused without an audit row or an intent of its own', async () => {
    const { caseId, task } = await acceptTask();
    // Another client of the engine completed it first; the task listener checked and audited that completion.
    await completeThroughEngine(strictClient(s.testApp.config.ZEEBE_REST_ADDRESS!), task, 'caseworker-li', { materialsComplete: true });
    const response = await s.post(caseworker, `/api/v1/tasks/${task.userTaskKey}/complete`, { variables: { materialsComplete: true } });
    expect(response.status).toBe(409);
    expect(await db.query(`SELECT actor_id FROM task_completion WHERE user_task_key = $1`, [task.userTaskKey])).toEqual([{ actor_id: 'caseworker-li' }]);
    expect((await actions(caseId)).filter((a) => a.startsWith('task.'))).toEqual(['task.completed']);
  });
});
