import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import { Role } from '../src/auth/roles';
import { TaskIndex } from '../src/tasks/task-index';
import { type CamundaClient, camundaClient } from '../src/workflow/camunda-client';
import { type Actor, Scenario } from './support/scenario';
import { migrationUrlOf, startTestApp, type TestApp } from './support/test-app';

/**
 * The task list of issue 19, from the task index: views (mine, unclaimed, overdue), search by the family's name or
 * case number, the procedure filter, paging with a total, urgency marks — on today's real date — and every one of
 * 6,000 open tasks of one county found by paging (the list scanned at most 5,000 engine tasks before).
 */

const VILLAGE_A = '410821100201';
const VILLAGE_B = '410821100202';
const integrator: Actor = { roles: [Role.Integrator], region: '410821', id: 'portal' };
const caseworker: Actor = { roles: [Role.TownshipCaseworker], region: '410821100', id: 'caseworker-wang' };
const colleague: Actor = { roles: [Role.TownshipCaseworker], region: '410821100', id: 'caseworker-chen' };
const otherTownship: Actor = { roles: [Role.TownshipCaseworker], region: '410821101', id: 'caseworker-qixian' };
const supervisor: Actor = { roles: [Role.Supervisor], region: '410821', id: 'supervisor-liu' };

interface Line {
  userTaskKey: string;
  elementId: string;
  processDefinitionId: string;
  assignee: string | null;
  urgency: string | null;
  context: { caseNumber: string; applicantName: string; villageName: string | null; townshipName: string | null } | null;
}

describe('task list from the index (today)', () => {
  let s: Scenario;
  let zhang: { caseId: string; caseNumber: string };
  let wang: { caseId: string; caseNumber: string };

  const list = async (actor: Actor, query = '') => {
    const response = await s.get(actor, `/api/v1/tasks${query}`);
    expect(response.status).toBe(200);
    return response.body as { items: Line[]; total: number; offset: number; limit: number; truncated: boolean };
  };
  const apply = async (village: string, name: string, birth: string) => {
    const response = await s.post(integrator, '/api/v1/dibao/applications', Scenario.application(village, name, birth), { 'Idempotency-Key': `apply-${village}-${birth}` });
    expect(response.status).toBe(201);
    return response.body as { caseId: string; caseNumber: string; acceptDueAt: string };
  };

  beforeAll(async () => {
    s = await Scenario.start(new Date());
    zhang = await apply(VILLAGE_A, '张建华', '19800101');
    wang = await apply(VILLAGE_B, '王秀兰', '19750505');
    await s.taskOf(zhang.caseId, 'Task_accept', caseworker);
    await s.taskOf(wang.caseId, 'Task_accept', caseworker);
  });

  afterAll(async () => {
    await s?.close();
  });

  it('finds a family by part of its name or by its case number, with the names of its village and township', async () => {
    const byName = await list(caseworker, `?q=${encodeURIComponent('建华')}`);
    expect(byName.total).toBe(1);
    expect(byName.items[0]!.context).toMatchObject({ caseNumber: zhang.caseNumber, applicantName: '张建华', villageName: expect.any(String), townshipName: '城关镇' });
    const byNumber = await list(caseworker, `?q=${encodeURIComponent(wang.caseNumber.toLowerCase())}`);
    expect(byNumber.items.map((line) => line.context?.applicantName)).toEqual(['王秀兰']);
    expect((await list(caseworker, `?q=${encodeURIComponent('李四')}`)).total).toBe(0);
    // A wildcard is a character, not a pattern.
    expect((await list(caseworker, '?q=%25')).total).toBe(0);
  });

  it('pages with a total, oldest first', async () => {
    const first = await list(caseworker, '?limit=1');
    expect(first).toMatchObject({ total: 2, offset: 0, limit: 1, truncated: true });
    const second = await list(caseworker, '?limit=1&offset=1');
    expect(second).toMatchObject({ total: 2, offset: 1, limit: 1, truncated: false });
    expect([first.items[0]!.context?.applicantName, second.items[0]!.context?.applicantName]).toEqual(['张建华', '王秀兰']);
    expect((await list(caseworker, '?offset=2')).items).toEqual([]);
  });

  it('filters by procedure; another township sees nothing of it', async () => {
    expect((await list(caseworker, '?procedure=dibao-application')).total).toBe(2);
    expect((await list(caseworker, '?procedure=temporary-aid')).total).toBe(0);
    expect(await list(otherTownship)).toMatchObject({ total: 0, items: [] });
    expect((await list(otherTownship, `?q=${encodeURIComponent('张建华')}`)).total).toBe(0);
    expect((await list(supervisor)).total).toBe(2);
  });

  it('shows a claim at once in mine and unclaimed, for the claimer and a colleague', async () => {
    const task = await s.taskOf(zhang.caseId, 'Task_accept', caseworker);
    expect((await s.post(caseworker, `/api/v1/tasks/${task.userTaskKey}/claim`, {})).status).toBe(204);
    expect((await list(caseworker, '?view=mine')).items.map((line) => line.userTaskKey)).toEqual([task.userTaskKey]);
    expect((await list(colleague, '?view=mine')).total).toBe(0);
    expect((await list(colleague, '?view=unclaimed')).items.map((line) => line.context?.applicantName)).toEqual(['王秀兰']);
    expect((await s.post(caseworker, `/api/v1/tasks/${task.userTaskKey}/unclaim`, {})).status).toBe(204);
    expect((await list(colleague, '?view=unclaimed')).total).toBe(2);
  });

  it('drops a completed task from the open list at once and keeps it among the completed', async () => {
    const task = await s.taskOf(wang.caseId, 'Task_accept', caseworker);
    expect((await s.post(caseworker, `/api/v1/tasks/${task.userTaskKey}/complete`, { variables: { materialsComplete: true } })).status).toBe(204);
    expect((await list(caseworker, `?q=${encodeURIComponent('王秀兰')}`)).items.map((line) => line.elementId)).not.toContain('Task_accept');
    const completed = await list(caseworker, `?state=COMPLETED&q=${encodeURIComponent('王秀兰')}`);
    expect(completed.items.map((line) => [line.userTaskKey, line.urgency])).toEqual([[task.userTaskKey, null]]);
  });

  it('marks a task due today, then overdue once the clock passes its due instant', async () => {
    const task = await s.taskOf(zhang.caseId, 'Task_accept', caseworker);
    const due = new Date((await s.get(caseworker, `/api/v1/tasks/${task.userTaskKey}`)).body.dueDate as string);
    const line = async () => (await list(caseworker, `?q=${encodeURIComponent('张建华')}`)).items.find((l) => l.userTaskKey === task.userTaskKey)!;
    await s.moveTo(new Date(due.getTime() - 60_000));
    expect((await line()).urgency).toBe('due-today');
    await s.moveTo(new Date(due.getTime() + 60_000));
    expect((await line()).urgency).toBe('overdue');
    expect((await list(caseworker, '?view=overdue')).items.map((l) => l.userTaskKey)).toContain(task.userTaskKey);
  });

  it('names a bad view, offset or limit', async () => {
    const response = await s.get(caseworker, '/api/v1/tasks?view=all&offset=-1&limit=0');
    expect(response.status).toBe(400);
    expect(response.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['limit', 'offset', 'view']);
  });
});

describe('task list with 6,000 open tasks in one county', () => {
  const TOTAL = 6_000;
  let testApp: TestApp;
  let camunda: CamundaClient;

  beforeAll(async () => {
    testApp = await startTestApp({}, { withEngine: true });
    camunda = camundaClient({ CAMUNDA_REST_ADDRESS: testApp.engine!.url, CAMUNDA_AUTH_STRATEGY: 'NONE' });
    const fixture = (name: string) => new File([readFileSync(join(__dirname, 'fixtures/tasks', name))], name);
    await camunda.createDeployment({ resources: [fixture('township-review.bpmn'), fixture('township-review.form')] });
    // Half in township A (410821100), half in township B (410821101), 50 instances at a time.
    for (let i = 0; i < TOTAL; i += 50) {
      await Promise.all(
        Array.from({ length: 50 }, (_, j) =>
          camunda.createProcessInstance({
            processDefinitionId: 'tasks-fixture-review' as never,
            variables: { regionCode: (i + j) % 2 === 0 ? '410821100201' : '410821101202', subjectType: 'tasks-fixture-case', subjectId: `case-${i + j}` },
          }),
        ),
      );
    }
    const { page } = await camunda.searchUserTasks({ filter: { state: 'CREATED' }, page: { limit: 1 } }, { consistency: { waitUpToMs: 0 } });
    expect(page.totalItems).toBe(TOTAL);
  }, 600_000);

  afterAll(async () => {
    await testApp?.close();
  });

  async function everyKey(token: string): Promise<{ keys: Set<string>; totals: number[] }> {
    const keys = new Set<string>();
    const totals: number[] = [];
    for (let offset = 0; ; offset += 500) {
      const response = await request(testApp.app.getHttpServer()).get('/api/v1/tasks').query({ limit: 500, offset }).set('Authorization', `Bearer ${token}`).expect(200);
      totals.push(response.body.total);
      for (const item of response.body.items) keys.add(item.userTaskKey);
      if (!response.body.truncated) return { keys, totals };
    }
  }

  it('lets a supervisor of the county page through every one of them', async () => {
    const { keys, totals } = await everyKey(await testApp.token([Role.Supervisor], '410821', 'supervisor'));
    expect(keys.size).toBe(TOTAL);
    expect(new Set(totals)).toEqual(new Set([TOTAL]));
  }, 120_000);

  it("gives a township's caseworker exactly the township's half", async () => {
    const { keys, totals } = await everyKey(await testApp.token([Role.TownshipCaseworker], '410821100', 'li'));
    expect(keys.size).toBe(TOTAL / 2);
    expect(totals[0]).toBe(TOTAL / 2);
  }, 120_000);

  it('takes a claim made in the engine directly, and closes what the engine no longer has, on reconciling', async () => {
    const caseworker = await testApp.token([Role.TownshipCaseworker], '410821100', 'li');
    const mine = async () => (await request(testApp.app.getHttpServer()).get('/api/v1/tasks?view=mine').set('Authorization', `Bearer ${caseworker}`).expect(200)).body;
    const first = await request(testApp.app.getHttpServer()).get('/api/v1/tasks?limit=1').set('Authorization', `Bearer ${caseworker}`).expect(200);
    const claimed = String(first.body.items[0].userTaskKey);
    await camunda.assignUserTask({ userTaskKey: claimed as never, assignee: 'li', allowOverride: true });
    // A line the engine never had (its instance deleted, say) stands until the reconciliation asks the engine.
    const db = new Client({ connectionString: migrationUrlOf(testApp.databaseUrl) });
    await db.connect();
    try {
      await db.query(
        `INSERT INTO task_index (user_task_key, process_instance_key, element_instance_key, process_definition_id, element_id, state, candidate_groups, assignee, region_code, county_code, township_code, created_at)
         VALUES ('4503599627370495', '1', '2', 'tasks-fixture-review', 'township-review', 'CREATED', '{township-caseworker@410821100}', 'li', '410821100201', '410821', '410821100', now() - interval '1 day')`,
      );
    } finally {
      await db.end();
    }
    await testApp.app.get(TaskIndex).reconcile();
    expect((await mine()).items.map((item: { userTaskKey: string }) => item.userTaskKey)).toEqual([claimed]);
  }, 120_000);
});
