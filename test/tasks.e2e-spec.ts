import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { Role } from '../src/auth/roles';
import { type CamundaClient, camundaClient } from '../src/workflow/camunda-client';
import { startTestApp, type TestApp } from './support/test-app';

/**
 * The task API on the embedded engine, no mocks: a fixture procedure (test/fixtures/tasks) whose review task has a
 * form, started for a case in each of two townships of county 410821.
 */
describe('task API', () => {
  const PROCESS_ID = 'tasks-fixture-review';
  const SUBJECT_TYPE = 'tasks-fixture-case';
  const TOWNSHIP_A = '410821100';
  const TOWNSHIP_B = '410821101';
  const COUNTY = '410821';
  const valid = { summary: 'Household of three, no regular income', proposal: 'approve', proposalReasons: 'Income below the local standard', householdSize: 3 };

  let testApp: TestApp;
  let camunda: CamundaClient;
  let instanceA: string;
  let taskA: string;
  let taskB: string;

  const http = () => request(testApp.app.getHttpServer());
  const as = (roles: Role[], region: string, sub: string) => testApp.token(roles, region, sub);
  const caseworkerA = () => as([Role.TownshipCaseworker], TOWNSHIP_A, 'li');
  const otherCaseworkerA = () => as([Role.TownshipCaseworker], TOWNSHIP_A, 'wang');
  const caseworkerB = () => as([Role.TownshipCaseworker], TOWNSHIP_B, 'sun');

  async function startCase(regionCode: string, subjectId: string): Promise<{ instance: string; task: string }> {
    const { processInstanceKey } = await camunda.createProcessInstance({
      processDefinitionId: PROCESS_ID as never,
      variables: { regionCode, subjectType: SUBJECT_TYPE, subjectId, applicantName: '王芳' },
    });
    const { items } = await camunda.searchUserTasks({ filter: { processInstanceKey, state: 'CREATED' } }, { consistency: { waitUpToMs: 10_000 } });
    return { instance: String(processInstanceKey), task: String(items[0]!.userTaskKey) };
  }

  async function listKeys(token: string, query: Record<string, string> = {}): Promise<string[]> {
    const response = await http().get('/api/v1/tasks').query(query).set('Authorization', `Bearer ${token}`).expect(200);
    return response.body.items.map((t: { userTaskKey: string }) => t.userTaskKey);
  }

  const post = async (path: string, token: string, body?: object) => http().post(`/api/v1/tasks/${path}`).set('Authorization', `Bearer ${token}`).send(body);
  const get = async (path: string, token: string) => http().get(`/api/v1/tasks/${path}`).set('Authorization', `Bearer ${token}`);

  beforeAll(async () => {
    testApp = await startTestApp({}, { withEngine: true });
    camunda = camundaClient({ CAMUNDA_REST_ADDRESS: testApp.engine!.url, CAMUNDA_AUTH_STRATEGY: 'NONE' });
    const fixture = (name: string) => new File([readFileSync(join(__dirname, 'fixtures/tasks', name))], name);
    await camunda.createDeployment({ resources: [fixture('township-review.bpmn'), fixture('township-review.form')] });
    ({ instance: instanceA, task: taskA } = await startCase(`${TOWNSHIP_A}201`, 'case-a'));
    ({ task: taskB } = await startCase(`${TOWNSHIP_B}202`, 'case-b'));
  });

  afterAll(async () => {
    await testApp?.close();
  });

  describe('who sees a task', () => {
    it("lists a township caseworker's own township's task only, with its case scope", async () => {
      const response = await http().get('/api/v1/tasks').set('Authorization', `Bearer ${await caseworkerA()}`).expect(200);
      expect(response.body.truncated).toBe(false);
      expect(response.body.items.map((t: { userTaskKey: string }) => t.userTaskKey)).toEqual([taskA]);
      expect(response.body.items[0]).toEqual({
        userTaskKey: taskA,
        name: 'Township review',
        state: 'CREATED',
        elementId: 'township-review',
        processDefinitionId: PROCESS_ID,
        processInstanceKey: instanceA,
        elementInstanceKey: expect.stringMatching(/^\d+$/),
        candidateGroups: ['township-caseworker@410821100', 'county-civil-affairs@410821'],
        assignee: null,
        creationDate: expect.any(String),
        dueDate: null,
        followUpDate: null,
        priority: 60,
        regionCode: '410821100201',
        subjectType: SUBJECT_TYPE,
        subjectId: 'case-a',
        formKey: expect.stringMatching(/^\d+$/),
        // A subject type no procedure of ours knows: no case context.
        context: null,
        // No due date: nothing to be urgent about.
        urgency: null,
      });
      expect(response.body).toMatchObject({ total: 1, offset: 0, limit: 100 });
    });

    it("answers 404 to another township's caseworker, as for a task that does not exist", async () => {
      const token = await caseworkerB();
      const outOfRegion = await get(taskA, token);
      expect(outOfRegion.status).toBe(404);
      expect(outOfRegion.headers['content-type']).toContain('application/problem+json');
      expect(outOfRegion.body).toMatchObject({ status: 404, code: 'task-not-found', title: `user task ${taskA} not found` });
      expect((await post(`${taskA}/claim`, token)).status).toBe(404);
      expect((await post(`${taskA}/complete`, token, { variables: valid })).status).toBe(404);
      const missing = await get('999999999999', token);
      expect(missing.status).toBe(404);
      expect(missing.body.code).toBe('task-not-found');
      expect(await listKeys(token)).toEqual([taskB]);
    });

    it('lists both townships to a county user of a candidate group', async () => {
      expect((await listKeys(await as([Role.CountyCivilAffairs], COUNTY, 'zhao'))).sort()).toEqual([taskA, taskB].sort());
    });

    it('hides the task from a user of no candidate group, in the region or not', async () => {
      const village = await as([Role.VillageCommittee], TOWNSHIP_A, 'zhou');
      expect(await listKeys(village)).toEqual([]);
      expect((await get(taskA, village)).status).toBe(404);
      expect(await listKeys(await as([Role.TownshipLeader], TOWNSHIP_A, 'wu'))).toEqual([]);
    });

    it("lets a supervisor read the region's tasks but not work them", async () => {
      const supervisor = await as([Role.Supervisor], COUNTY, 'qian');
      expect((await listKeys(supervisor)).sort()).toEqual([taskA, taskB].sort());
      expect((await get(taskA, supervisor)).status).toBe(200);
      expect((await post(`${taskA}/claim`, supervisor)).status).toBe(403);
    });

    it('refuses roles that work no tasks', async () => {
      const response = await http().get('/api/v1/tasks').set('Authorization', `Bearer ${await as([Role.Bank], COUNTY, 'bank')}`);
      expect(response.status).toBe(403);
    });
  });

  it("shows a task with its form and its instance's variables", async () => {
    const response = await get(taskA, await caseworkerA());
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ userTaskKey: taskA, regionCode: '410821100201', subjectId: 'case-a' });
    expect(response.body.form.components.map((c: { key: string }) => c.key)).toEqual(['summary', 'proposal', 'proposalReasons', 'householdSize', 'homeVisited']);
    expect(response.body.variables).toEqual({ regionCode: '410821100201', subjectType: SUBJECT_TYPE, subjectId: 'case-a', applicantName: '王芳' });
  });

  describe('claiming', () => {
    it('assigns the task to the caller; someone else may then neither claim, unclaim nor complete it', async () => {
      expect((await post(`${taskA}/claim`, await caseworkerA())).status).toBe(204);
      expect((await post(`${taskA}/claim`, await caseworkerA())).status).toBe(204);
      expect(await listKeys(await caseworkerA(), { assignee: 'me' })).toEqual([taskA]);
      expect(await listKeys(await otherCaseworkerA(), { assignee: 'me' })).toEqual([]);

      const other = await otherCaseworkerA();
      const claimed = await post(`${taskA}/claim`, other);
      expect(claimed.status).toBe(409);
      expect(claimed.body).toMatchObject({ code: 'task-assigned', title: expect.stringContaining('assigned to li') });
      expect((await post(`${taskA}/unclaim`, other)).status).toBe(409);
      const completed = await post(`${taskA}/complete`, other, { variables: valid });
      expect(completed.status).toBe(409);
      expect(completed.body.code).toBe('task-assigned');
    });

    it('gives the task back on unclaim, and the assignee still sees it listed as theirs until then', async () => {
      expect((await post(`${taskA}/unclaim`, await caseworkerA())).status).toBe(204);
      expect((await get(taskA, await caseworkerA())).body.assignee).toBeNull();
      expect((await post(`${taskA}/claim`, await caseworkerA())).status).toBe(204);
      expect((await get(taskA, await caseworkerA())).body.assignee).toBe('li');
    });
  });

  describe('completing', () => {
    it('names a missing required field', async () => {
      const { proposalReasons: _, ...withoutReasons } = valid;
      const response = await post(`${taskA}/complete`, await caseworkerA(), { variables: { ...withoutReasons, summary: '   ' } });
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.body.errors).toEqual([
        { field: 'variables.summary', message: '“Summary”为必填项 / Summary (summary) is required' },
        { field: 'variables.proposalReasons', message: '“Reasons”为必填项 / Reasons (proposalReasons) is required' },
      ]);
    });

    it('refuses a field the form does not have', async () => {
      const response = await post(`${taskA}/complete`, await caseworkerA(), { variables: { ...valid, benefitFen: 99_999 } });
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([{ field: 'variables.benefitFen', message: expect.stringContaining('unknown field') }]);
    });

    it('refuses a value outside the options of a select, and values of the wrong type', async () => {
      const response = await post(`${taskA}/complete`, await caseworkerA(), { variables: { ...valid, proposal: 'defer', householdSize: 'three', homeVisited: 'yes' } });
      expect(response.status).toBe(400);
      expect(response.body.errors.map((e: { field: string }) => e.field)).toEqual(['variables.proposal', 'variables.householdSize', 'variables.homeVisited']);
      expect(response.body.errors[0].message).toBe('“Proposal”须为以下之一：Approve、Refuse / Proposal (proposal) must be one of: approve (Approve), refuse (Refuse)');
    });

    it('refuses variables that are not an object', async () => {
      const response = await post(`${taskA}/complete`, await caseworkerA(), { variables: ['summary'] });
      expect(response.status).toBe(400);
      expect(response.body.errors.map((e: { field: string }) => e.field)).toEqual(['variables']);
    });

    it('completes a valid submission: the process moves on and the audit trail records the submitted values, not the instance variables', async () => {
      const response = await post(`${taskA}/complete`, await caseworkerA(), { variables: { ...valid, summary: `  ${valid.summary}  ` } });
      expect(response.status).toBe(204);

      const leader = await as([Role.TownshipLeader], TOWNSHIP_A, 'wu');
      const next = await http().get('/api/v1/tasks').query({ processInstanceKey: instanceA }).set('Authorization', `Bearer ${leader}`).expect(200);
      expect(next.body.items).toEqual([expect.objectContaining({ elementId: 'leader-decision', regionCode: '410821100201', formKey: null })]);
      const detail = await get(next.body.items[0].userTaskKey, leader);
      expect(detail.body.variables).toMatchObject({ ...valid, applicantName: '王芳' });
      expect(detail.body.form).toBeNull();

      const done = await get(taskA, await caseworkerA());
      expect(done.body.state).toBe('COMPLETED');
      expect(await listKeys(await caseworkerA())).toEqual([]);
      expect((await post(`${taskA}/complete`, await caseworkerA(), { variables: valid })).body.code).toBe('task-not-open');

      const audit = await http()
        .get('/api/v1/audit-events')
        .query({ subjectType: SUBJECT_TYPE, subjectId: 'case-a' })
        .set('Authorization', `Bearer ${await as([Role.CountyCivilAffairs], COUNTY, 'zhao')}`)
        .expect(200);
      const completions = audit.body.items.filter((e: { action: string }) => e.action === 'task.completed');
      expect(completions).toHaveLength(1);
      expect(completions[0]).toMatchObject({
        actorId: 'li',
        regionCode: '410821100201',
        subjectType: SUBJECT_TYPE,
        subjectId: 'case-a',
        details: { userTaskKey: taskA, elementId: 'township-review', name: 'Township review', processInstanceKey: instanceA, fields: ['summary', 'proposal', 'proposalReasons', 'householdSize'], values: valid },
      });
      expect(JSON.stringify(completions[0])).not.toContain('王芳');
    });

    it('completes a task without a form only without values; the instance then ends', async () => {
      const leader = await as([Role.TownshipLeader], TOWNSHIP_A, 'wu');
      const [decision] = await listKeys(leader, { processInstanceKey: instanceA });
      const refused = await post(`${decision}/complete`, leader, { variables: { decision: 'approve' } });
      expect(refused.status).toBe(400);
      expect(refused.body.errors).toEqual([{ field: 'variables.decision', message: expect.stringContaining('unknown field') }]);
      expect((await post(`${decision}/complete`, leader, {})).status).toBe(204);
      const instance = await camunda.getProcessInstance({ processInstanceKey: instanceA as never }, { consistency: { waitUpToMs: 0 } });
      expect(instance.state).toBe('COMPLETED');
    });
  });

  it('is documented in the OpenAPI description', async () => {
    const { body } = await http().get('/api/docs/openapi.json').expect(200);
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining(['/api/v1/tasks', '/api/v1/tasks/{key}', '/api/v1/tasks/{key}/claim', '/api/v1/tasks/{key}/unclaim', '/api/v1/tasks/{key}/complete']),
    );
  });

  it('answers 503 engine-unavailable when the engine does not answer', async () => {
    const offline = await startTestApp({ ZEEBE_REST_ADDRESS: 'http://127.0.0.1:1' });
    try {
      const token = await offline.token([Role.TownshipCaseworker], TOWNSHIP_A, 'li');
      const response = await request(offline.app.getHttpServer()).get('/api/v1/tasks').set('Authorization', `Bearer ${token}`);
      expect(response.status).toBe(503);
      expect(response.body).toMatchObject({ status: 503, code: 'engine-unavailable' });
    } finally {
      await offline.close();
    }
  });
});
