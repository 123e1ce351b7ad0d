import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseBpmn } from '../../src/workflow/bpmn-resources';
import { activateNow, activateOne, completed, createInstance, deploy, describeEngines, fixture, incidents, rejectionOf, userTasks, variablesOf } from './conformance-helpers';

// bpmnlint is CommonJS without types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Linter } = require('bpmnlint') as { Linter: new (options: unknown) => { lint(root: unknown): Promise<Record<string, { message: string }[]>> } };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const NodeResolver = require('bpmnlint/lib/resolver/node-resolver') as new () => unknown;

/**
 * Conformance: user-task listeners as Camunda 8.8 defines them (docs "User task listeners"; engine UserTaskProcessor,
 * JobCompleteProcessor, BpmnJobBehavior). A `completing` / `assigning` listener is a job of kind TASK_LISTENER; the
 * completion or assignment request waits for the listeners; a job completed with `result.denied` rejects it with 409
 * INVALID_STATE and the listener's reason, the task staying CREATED as it was; `result.corrections` change the task.
 * Through the SDK with strict validation, against the embedded engine and, with CAMUNDA_REST_ADDRESS, a real Camunda.
 */

type Camunda = ReturnType<Parameters<Parameters<typeof describeEngines>[1]>[0]>['camunda'];
const wait = { consistency: { waitUpToMs: 15_000 } };

describeEngines('conformance: task listeners', (engine) => {
  const camunda = () => engine().camunda;
  const model = fixture('task-listeners.bpmn');
  const id = model.id('conf-task-listeners');
  const check = model.id('conf-tl.check');
  const audit = model.id('conf-tl.audit');
  const assigning = model.id('conf-tl.assigning');
  beforeAll(() => deploy(camunda(), model));

  async function started(variables: Record<string, unknown> = {}) {
    const key = await createInstance(camunda(), id, variables);
    const [task] = await userTasks(camunda(), { processInstanceKey: key, state: 'CREATED' });
    return { key, task: task! };
  }

  /** The task once its state is `state` (a real cluster's search side catches up). */
  async function taskIn(c: Camunda, userTaskKey: string, ready: (t: { state?: string; assignee?: string; priority?: number }) => boolean) {
    const [task] = await userTasks(c, { userTaskKey }, (items) => items.length === 1 && ready(items[0]!));
    return task!;
  }

  test('the model lints clean against Camunda 8.8 (task listeners are allowed)', async () => {
    const xml = readFileSync(join(__dirname, 'models', 'task-listeners.bpmn'), 'utf8');
    const config = JSON.parse(readFileSync('.bpmnlintrc', 'utf8')) as { extends: string[] };
    const reports = await new Linter({ config: { extends: config.extends }, resolver: new NodeResolver() }).lint(await parseBpmn(xml));
    expect(Object.entries(reports).flatMap(([rule, list]) => list.map((r) => `${rule}: ${r.message}`))).toEqual([]);
  });

  test('accept: the completion waits for both completing listeners, in model order, and then completes with its variables', async () => {
    const { key, task } = await started({ applicant: 'Li Na' });
    const completion = camunda().completeUserTask({ userTaskKey: task.userTaskKey, variables: { decision: 'approve' } });
    const first = await activateOne(camunda(), check);
    expect(first).toMatchObject({ kind: 'TASK_LISTENER', listenerEventType: 'COMPLETING', elementId: 'review', processInstanceKey: key });
    // The listener sees the process variables; Camunda 8.8 does not give it the completion's (camunda/camunda#24101).
    expect(first.variables).toMatchObject({ applicant: 'Li Na' });
    expect(first.customHeaders).toMatchObject({ 'io.camunda.zeebe:userTaskKey': task.userTaskKey, 'io.camunda.zeebe:assignee': 'clerk' });
    await taskIn(camunda(), task.userTaskKey, (t) => t.state === 'COMPLETING');
    // The second listener's job exists only after the first one's.
    expect(await activateNow(camunda(), audit)).toEqual([]);
    await camunda().completeJob({ jobKey: first.jobKey });
    const second = await activateOne(camunda(), audit);
    expect(second).toMatchObject({ kind: 'TASK_LISTENER', listenerEventType: 'COMPLETING' });
    await camunda().completeJob({ jobKey: second.jobKey, result: { type: 'userTask', denied: false } });
    await completion;
    await completed(camunda(), key);
    expect(await variablesOf(camunda(), key, (v) => 'decision' in v)).toMatchObject({ decision: 'approve', applicant: 'Li Na' });
    expect((await taskIn(camunda(), task.userTaskKey, (t) => t.state === 'COMPLETED')).state).toBe('COMPLETED');
  });

  test('variables set on the task (local) before the completion are seen by the listener, and are gone with the task; the completion\'s reach the process', async () => {
    const { key, task } = await started({ applicant: 'Li Na' });
    await camunda().createElementInstanceVariables({ elementInstanceKey: task.elementInstanceKey!, variables: { formSubmission: { decision: 'approve' } }, local: true });
    const completion = camunda().completeUserTask({ userTaskKey: task.userTaskKey, variables: { decision: 'approve' } });
    const first = await activateOne(camunda(), check);
    expect(first.variables).toMatchObject({ applicant: 'Li Na', formSubmission: { decision: 'approve' } });
    expect(first.variables).not.toHaveProperty('decision');
    await camunda().completeJob({ jobKey: first.jobKey });
    await camunda().completeJob({ jobKey: (await activateOne(camunda(), audit)).jobKey });
    await completion;
    await completed(camunda(), key);
    const variables = await variablesOf(camunda(), key, (v) => 'decision' in v);
    expect(variables).toMatchObject({ decision: 'approve', applicant: 'Li Na' });
    expect(variables).not.toHaveProperty('formSubmission');
  });

  test('variables cannot be set on an element instance that is not active: 404', async () => {
    const { key, task } = await started();
    await camunda().cancelProcessInstance({ processInstanceKey: key });
    const rejection = await rejectionOf(camunda().createElementInstanceVariables({ elementInstanceKey: task.elementInstanceKey!, variables: { x: 1 }, local: true }));
    expect(rejection.status).toBe(404);
  });

  test('deny: the completion is refused with the reason, the task is CREATED again as it was, a second completion succeeds', async () => {
    const { key, task } = await started();
    const refused = rejectionOf(camunda().completeUserTask({ userTaskKey: task.userTaskKey, variables: { decision: 'approve' } }));
    const job = await activateOne(camunda(), check);
    // Corrections of a denying listener are discarded.
    await camunda().completeJob({ jobKey: job.jobKey, result: { type: 'userTask', denied: true, deniedReason: '收入证明缺失', corrections: { priority: 90 } } });
    const rejection = await refused;
    expect(rejection.status).toBe(409);
    expect(rejection.detail).toContain(`Completion of the User Task with key '${task.userTaskKey}' was denied by Task Listener. Reason to deny: '收入证明缺失'`);
    const again = await taskIn(camunda(), task.userTaskKey, (t) => t.state === 'CREATED');
    expect(again).toMatchObject({ state: 'CREATED', assignee: 'clerk', priority: 40 });
    expect(await activateNow(camunda(), audit)).toEqual([]);

    const completion = camunda().completeUserTask({ userTaskKey: task.userTaskKey, variables: { decision: 'reject' } });
    await camunda().completeJob({ jobKey: (await activateOne(camunda(), check)).jobKey });
    await camunda().completeJob({ jobKey: (await activateOne(camunda(), audit)).jobKey });
    await completion;
    await completed(camunda(), key);
    expect(await variablesOf(camunda(), key, (v) => 'decision' in v)).toMatchObject({ decision: 'reject' });
  });

  test('correct: corrections of the assignee and priority are seen by the next listener and kept on the completed task', async () => {
    const { key, task } = await started();
    const completion = camunda().completeUserTask({ userTaskKey: task.userTaskKey });
    const first = await activateOne(camunda(), check);
    await camunda().completeJob({ jobKey: first.jobKey, result: { type: 'userTask', corrections: { assignee: 'supervisor', priority: 80 } } });
    const second = await activateOne(camunda(), audit);
    expect(second.customHeaders).toMatchObject({ 'io.camunda.zeebe:assignee': 'supervisor', 'io.camunda.zeebe:priority': '80' });
    await camunda().completeJob({ jobKey: second.jobKey });
    await completion;
    await completed(camunda(), key);
    expect(await taskIn(camunda(), task.userTaskKey, (t) => t.state === 'COMPLETED')).toMatchObject({ assignee: 'supervisor', priority: 80 });
  });

  test('assigning: a denied assignment keeps the old assignee; an accepted one applies the new assignee (and corrections)', async () => {
    const { task } = await started();
    const refused = rejectionOf(camunda().assignUserTask({ userTaskKey: task.userTaskKey, assignee: 'proposer' }));
    const job = await activateOne(camunda(), assigning);
    expect(job).toMatchObject({ kind: 'TASK_LISTENER', listenerEventType: 'ASSIGNING' });
    expect(job.customHeaders).toMatchObject({ 'io.camunda.zeebe:assignee': 'proposer' });
    await camunda().completeJob({ jobKey: job.jobKey, result: { type: 'userTask', denied: true, deniedReason: 'separation of duties' } });
    const rejection = await refused;
    expect(rejection.status).toBe(409);
    expect(rejection.detail).toContain(`Assignment of the User Task with key '${task.userTaskKey}' was denied by Task Listener. Reason to deny: 'separation of duties'`);
    expect(await taskIn(camunda(), task.userTaskKey, (t) => t.state === 'CREATED')).toMatchObject({ assignee: 'clerk' });

    const assignment = camunda().assignUserTask({ userTaskKey: task.userTaskKey, assignee: 'reviewer' });
    await camunda().completeJob({ jobKey: (await activateOne(camunda(), assigning)).jobKey, result: { type: 'userTask', corrections: { priority: 70 } } });
    await assignment;
    expect(await taskIn(camunda(), task.userTaskKey, (t) => t.assignee === 'reviewer')).toMatchObject({ state: 'CREATED', assignee: 'reviewer', priority: 70 });
  });

  test('a listener job failed with no retries left raises a TASK_LISTENER_NO_RETRIES incident on the task', async () => {
    const { key, task } = await started();
    void camunda()
      .completeUserTask({ userTaskKey: task.userTaskKey })
      .catch(() => undefined);
    const job = await activateOne(camunda(), check);
    await camunda().failJob({ jobKey: job.jobKey, retries: 0, errorMessage: 'audit store unreachable' });
    const [incident] = await incidents(camunda(), { processInstanceKey: key, state: 'ACTIVE' });
    expect(incident).toMatchObject({ errorType: 'TASK_LISTENER_NO_RETRIES', elementId: 'review', jobKey: job.jobKey, errorMessage: 'audit store unreachable' });
    await camunda().cancelProcessInstance({ processInstanceKey: key });
  });

  test('a listener job completed with variables is refused (Camunda 8.8: not yet supported)', async () => {
    const { key, task } = await started();
    void camunda()
      .completeUserTask({ userTaskKey: task.userTaskKey })
      .catch(() => undefined);
    const job = await activateOne(camunda(), check);
    const rejection = await rejectionOf(camunda().completeJob({ jobKey: job.jobKey, variables: { checked: true } }));
    expect(rejection.status).toBe(400);
    expect(rejection.detail).toContain('Task Listener job completion with variables payload provided is not yet supported');
    await camunda().cancelProcessInstance({ processInstanceKey: key });
  });

  test('embedded engine: a listener event it does not run is refused at deployment, by name', async () => {
    if (!engine().server) return;
    const other = fixture('task-listeners.bpmn');
    const text = other.text.replace('eventType="assigning"', 'eventType="creating"');
    const rejection = await rejectionOf(camunda().createDeployment({ resources: [new File([text], other.name)] }));
    expect(rejection.status).toBe(400);
    expect(rejection.detail).toContain('task listener for "creating"');
  });

  void wait;
});
