import {
  activate,
  activateNow,
  activateOne,
  completeJob,
  completed,
  createInstance,
  deploy,
  describeEngines,
  fixture,
  incidents,
  instanceWhen,
  rejectionOf,
  uniqueSuffix,
  userTaskOf,
  userTasks,
  variablesOf,
} from './conformance-helpers';

/**
 * Conformance, part A: deployment, instances, jobs, user tasks, gateways, variables, call activities,
 * multi-instance and FEEL, each on a small model of its own, observed only through the SDK (strict validation),
 * against the embedded engine and, when CAMUNDA_REST_ADDRESS is set, a real Camunda 8.8.
 */

const wait = { consistency: { waitUpToMs: 15_000 } };

describeEngines('conformance: tasks', (engine) => {
  const camunda = () => engine().camunda;

  describe('deployment', () => {
    test('a process and its form deploy together', async () => {
      const suffix = uniqueSuffix();
      const model = fixture('user-task.bpmn', suffix);
      const form = fixture('review.form', suffix);
      const result = await deploy(camunda(), model, form);
      expect(result.processes).toEqual([
        expect.objectContaining({ processDefinitionId: model.id('conf-user-task'), processDefinitionVersion: 1, resourceName: 'user-task.bpmn' }),
      ]);
      expect(result.forms).toEqual([expect.objectContaining({ formId: model.id('conf-review-form'), resourceName: 'review.form' })]);
      expect(Number(result.forms[0]!.version)).toBe(1);
    });

    test('redeploying an unchanged model keeps its key and version; a changed one is the next version', async () => {
      const model = fixture('service-task.bpmn');
      const first = (await deploy(camunda(), model)).processes[0]!;
      const again = (await deploy(camunda(), model)).processes[0]!;
      expect(again.processDefinitionKey).toBe(first.processDefinitionKey);
      expect(again.processDefinitionVersion).toBe(1);
      const changed = { ...model, file: () => new File([model.text.replace('name="Service task"', 'name="Service task, revised"')], model.name) };
      const second = (await deploy(camunda(), changed)).processes[0]!;
      expect(second.processDefinitionVersion).toBe(2);
      expect(second.processDefinitionKey).not.toBe(first.processDefinitionKey);
      // A new instance runs the latest version.
      const key = await createInstance(camunda(), model.id('conf-service'));
      const instance = await instanceWhen(camunda(), key, () => true);
      expect(instance.processDefinitionKey).toBe(second.processDefinitionKey);
      expect(instance.processDefinitionVersion).toBe(2);
    });

    test('a model with an element the engine cannot execute is refused, naming the element', async () => {
      const rejection = await rejectionOf(deploy(camunda(), fixture('unsupported.bpmn')));
      expect(rejection.status).toBe(400);
      expect(rejection.detail).toContain('complexJoin');
    });
  });

  describe('process instances', () => {
    const model = fixture('service-task.bpmn');
    const id = model.id('conf-service');
    const type = model.id('conf-service.work');
    beforeAll(() => deploy(camunda(), model));

    test('created with variables, found by get and by search, completed by its job', async () => {
      const key = await createInstance(camunda(), id, { applicant: { name: 'Li Na', age: 67 } });
      const got = await camunda().getProcessInstance({ processInstanceKey: key }, wait);
      expect(got).toMatchObject({ processInstanceKey: key, processDefinitionId: id, state: 'ACTIVE', hasIncident: false, processDefinitionVersion: 1 });
      const active = await searchInstances({ processDefinitionId: id, state: 'ACTIVE' }, (items) => items.some((i) => i.processInstanceKey === key));
      expect(active.every((i) => i.processDefinitionId === id && i.state === 'ACTIVE')).toBe(true);
      const job = await activateOne(camunda(), type);
      expect(job.processInstanceKey).toBe(key);
      expect(job.variables).toEqual({ applicant: { name: 'Li Na', age: 67 } });
      await camunda().completeJob({ jobKey: job.jobKey, variables: { approved: true } });
      const done = await completed(camunda(), key);
      expect(done.endDate).toBeDefined();
      const finished = await searchInstances({ processDefinitionId: id, state: 'COMPLETED' }, (items) => items.some((i) => i.processInstanceKey === key));
      expect(finished.map((i) => i.processInstanceKey)).toContain(key);
      expect(await variablesOf(camunda(), key, (v) => 'approved' in v)).toEqual({ applicant: { name: 'Li Na', age: 67 }, approved: true });
    });

    test('awaitCompletion answers with the final variables, only those fetched', async () => {
      const result = camunda().createProcessInstance({
        processDefinitionId: id as never,
        variables: { a: 1, b: 2 },
        awaitCompletion: true,
        fetchVariables: ['a', 'c'],
        requestTimeout: 20_000,
      });
      await completeJob(camunda(), type, { c: 3 });
      expect((await result).variables).toEqual({ a: 1, c: 3 });
    });

    test('an unknown process id is NOT_FOUND; cancelling a finished instance is NOT_FOUND', async () => {
      const unknown = await rejectionOf(camunda().createProcessInstance({ processDefinitionId: model.id('conf-nowhere') as never }));
      expect(unknown.status).toBe(404);
      const key = await createInstance(camunda(), id);
      await completeJob(camunda(), type);
      await completed(camunda(), key);
      expect((await rejectionOf(camunda().cancelProcessInstance({ processInstanceKey: key }))).status).toBe(404);
    });

    test('cancelled: TERMINATED, its job gone, its user task CANCELED', async () => {
      const cancel = fixture('cancel.bpmn');
      await deploy(camunda(), cancel);
      const key = await createInstance(camunda(), cancel.id('conf-cancel'));
      const task = await userTaskOf(camunda(), key);
      await camunda().cancelProcessInstance({ processInstanceKey: key });
      const instance = await instanceWhen(camunda(), key, (pi) => pi.state === 'TERMINATED');
      expect(instance.endDate).toBeDefined();
      expect(await activateNow(camunda(), cancel.id('conf-cancel.work'))).toEqual([]);
      const [canceled] = await userTasks(camunda(), { userTaskKey: task.userTaskKey }, (items) => items[0]?.state === 'CANCELED');
      expect(canceled!.state).toBe('CANCELED');
    });

    async function searchInstances(filter: Record<string, unknown>, ready: (items: { processInstanceKey: string; processDefinitionId: string; state?: string }[]) => boolean) {
      const result = await camunda().searchProcessInstances({ filter } as never, { consistency: { waitUpToMs: 15_000, predicate: (r) => ready(r.items as never) } });
      return result.items;
    }
  });

  describe('service tasks as jobs', () => {
    const model = fixture('service-task.bpmn');
    const id = model.id('conf-service');
    const type = model.id('conf-service.work');
    beforeAll(() => deploy(camunda(), model));

    test('an activated job carries the type, retries and headers of the model, and the worker', async () => {
      const key = await createInstance(camunda(), id, { x: 1 });
      const before = Date.now();
      const job = await activateOne(camunda(), type, { worker: 'billing-worker', timeout: 30_000 });
      expect(job).toMatchObject({
        type,
        retries: 5,
        worker: 'billing-worker',
        customHeaders: { region: 'north', channel: 'web' },
        elementId: 'work',
        processDefinitionId: id,
        processDefinitionVersion: 1,
        processInstanceKey: key,
      });
      expect(Number(job.deadline)).toBeGreaterThanOrEqual(before + 29_000);
      await camunda().completeJob({ jobKey: job.jobKey });
      await completed(camunda(), key);
    });

    test('fetchVariable limits the variables a job carries', async () => {
      await createInstance(camunda(), id, { wanted: 'yes', unwanted: 'no', alsoWanted: [1] });
      const job = await activateOne(camunda(), type, { fetchVariable: ['wanted', 'alsoWanted'] });
      expect(job.variables).toEqual({ wanted: 'yes', alsoWanted: [1] });
      await camunda().completeJob({ jobKey: job.jobKey });
    });

    test('completion variables merge into the process', async () => {
      const key = await createInstance(camunda(), id, { keep: 1, change: 'old' });
      await completeJob(camunda(), type, { change: 'new', added: { deep: [1, 2] } });
      await completed(camunda(), key);
      expect(await variablesOf(camunda(), key, (v) => v.change === 'new')).toEqual({ keep: 1, change: 'new', added: { deep: [1, 2] } });
    });

    test('an activated job is not activated again until its lock expires', async () => {
      const key = await createInstance(camunda(), id);
      const job = await activateOne(camunda(), type, { timeout: 60_000 });
      expect(await activateNow(camunda(), type)).toEqual([]);
      try {
        await camunda().pinClock({ timestamp: Date.now() + 5 * 60_000 });
        const again = await activateOne(camunda(), type, { worker: 'second-worker' });
        expect(again.jobKey).toBe(job.jobKey);
        expect(again.worker).toBe('second-worker');
        await camunda().completeJob({ jobKey: again.jobKey });
      } finally {
        await camunda().resetClock();
      }
      await completed(camunda(), key);
    });

    test('updateJob with a new timeout extends the lock from now', async () => {
      const key = await createInstance(camunda(), id);
      const job = await activateOne(camunda(), type, { timeout: 60_000 });
      await camunda().updateJob({ jobKey: job.jobKey, changeset: { timeout: 15 * 60_000 } });
      const start = Date.now();
      try {
        await camunda().pinClock({ timestamp: start + 5 * 60_000 });
        expect(await activateNow(camunda(), type)).toEqual([]);
        await camunda().pinClock({ timestamp: start + 20 * 60_000 });
        expect((await activateOne(camunda(), type)).jobKey).toBe(job.jobKey);
        await camunda().completeJob({ jobKey: job.jobKey });
      } finally {
        await camunda().resetClock();
      }
      await completed(camunda(), key);
    });
  });

  describe('job failure', () => {
    const model = fixture('service-task.bpmn');
    const id = model.id('conf-service');
    const type = model.id('conf-service.work');
    beforeAll(() => deploy(camunda(), model));

    test('a failed job comes back after its back-off with the retries the worker left', async () => {
      await createInstance(camunda(), id);
      const job = await activateOne(camunda(), type);
      await camunda().failJob({ jobKey: job.jobKey, retries: job.retries - 1, errorMessage: 'service down', retryBackOff: 1_500 });
      expect(await activateNow(camunda(), type)).toEqual([]);
      const retried = await activateOne(camunda(), type);
      expect(retried.jobKey).toBe(job.jobKey);
      expect(retried.retries).toBe(4);
      await camunda().completeJob({ jobKey: retried.jobKey });
    });

    test('out of retries: an incident; new retries and resolving it let the job run again', async () => {
      const key = await createInstance(camunda(), id);
      const job = await activateOne(camunda(), type);
      await camunda().failJob({ jobKey: job.jobKey, retries: 0, errorMessage: 'database unreachable' });
      const [incident] = await incidents(camunda(), { processInstanceKey: key, state: 'ACTIVE' });
      expect(incident).toMatchObject({ errorType: 'JOB_NO_RETRIES', errorMessage: 'database unreachable', elementId: 'work', jobKey: job.jobKey, processDefinitionId: id });
      expect((await instanceWhen(camunda(), key, (pi) => pi.hasIncident === true)).state).toBe('ACTIVE');
      expect(await activateNow(camunda(), type)).toEqual([]);

      await camunda().updateJob({ jobKey: job.jobKey, changeset: { retries: 2 } });
      await camunda().resolveIncident({ incidentKey: incident!.incidentKey! });
      const again = await activateOne(camunda(), type);
      expect(again).toMatchObject({ jobKey: job.jobKey, retries: 2 });
      await camunda().completeJob({ jobKey: again.jobKey });
      const done = await completed(camunda(), key);
      expect(done.hasIncident).toBe(false);
      await incidents(camunda(), { incidentKey: incident!.incidentKey }, (items) => items[0]?.state === 'RESOLVED');
    });
  });

  describe('BPMN errors thrown by a worker', () => {
    const model = fixture('job-error.bpmn');
    const id = model.id('conf-job-error');
    beforeAll(() => deploy(camunda(), model));

    test('caught by the boundary event for its code, with the variables thrown', async () => {
      const key = await createInstance(camunda(), id, { orderId: 'o-1' });
      const job = await activateOne(camunda(), model.id('conf-job-error.lookup'));
      await camunda().throwJobError({ jobKey: job.jobKey, errorCode: 'NOT_FOUND', errorMessage: 'no such order', variables: { searched: ['db', 'cache'] } });
      const handler = await activateOne(camunda(), model.id('conf-job-error.not-found'));
      expect(handler.processInstanceKey).toBe(key);
      expect(handler.variables).toEqual({ orderId: 'o-1', searched: ['db', 'cache'] });
      expect(await activateNow(camunda(), model.id('conf-job-error.other'))).toEqual([]);
      await camunda().completeJob({ jobKey: handler.jobKey });
      await completed(camunda(), key);
    });

    test('any other code is caught by the catch-all boundary event', async () => {
      const key = await createInstance(camunda(), id);
      const job = await activateOne(camunda(), model.id('conf-job-error.lookup'));
      await camunda().throwJobError({ jobKey: job.jobKey, errorCode: 'TIMEOUT', errorMessage: 'too slow' });
      const handler = await activateOne(camunda(), model.id('conf-job-error.other'));
      expect(handler.processInstanceKey).toBe(key);
      await camunda().completeJob({ jobKey: handler.jobKey });
      await completed(camunda(), key);
    });

    test('uncaught: an UNHANDLED_ERROR_EVENT incident', async () => {
      const service = fixture('service-task.bpmn');
      await deploy(camunda(), service);
      const key = await createInstance(camunda(), service.id('conf-service'));
      const job = await activateOne(camunda(), service.id('conf-service.work'));
      await camunda().throwJobError({ jobKey: job.jobKey, errorCode: 'REJECTED', errorMessage: 'not eligible' });
      const [incident] = await incidents(camunda(), { processInstanceKey: key });
      expect(incident).toMatchObject({ errorType: 'UNHANDLED_ERROR_EVENT', elementId: 'work', state: 'ACTIVE' });
      expect(incident!.errorMessage).toContain("'REJECTED'");
      expect((await instanceWhen(camunda(), key, (pi) => pi.hasIncident === true)).state).toBe('ACTIVE');
    });
  });

  describe('Camunda user tasks', () => {
    const suffix = uniqueSuffix();
    const model = fixture('user-task.bpmn', suffix);
    const form = fixture('review.form', suffix);
    const id = model.id('conf-user-task');
    beforeAll(() => deploy(camunda(), model, form));

    test('a task has the form, assignment, schedule and priority of the model', async () => {
      const key = await createInstance(camunda(), id, { submittedAt: '2030-05-01T10:00:00Z', urgency: 8 });
      const task = await userTaskOf(camunda(), key, 'review');
      expect(task).toMatchObject({
        name: 'Review',
        state: 'CREATED',
        elementId: 'review',
        assignee: 'demo',
        candidateGroups: ['clerks', 'auditors'],
        priority: 80,
        processDefinitionId: id,
        processInstanceKey: key,
      });
      expect(new Date(task.dueDate!).toISOString()).toBe('2030-05-03T10:00:00.000Z');
      expect(new Date(task.followUpDate!).toISOString()).toBe('2030-05-01T22:00:00.000Z');
      expect(task.formKey).toBeDefined();

      const got = await camunda().getUserTask({ userTaskKey: task.userTaskKey }, wait);
      expect(got).toMatchObject({ userTaskKey: task.userTaskKey, assignee: 'demo', formKey: task.formKey });
      const taskForm = await camunda().getUserTaskForm({ userTaskKey: task.userTaskKey }, wait);
      expect(taskForm).toMatchObject({ formId: model.id('conf-review-form'), formKey: task.formKey });
      expect(((taskForm as { schema: unknown }).schema as { components: { key: string }[] }).components.map((c) => c.key)).toEqual(['comment', 'approved']);
    });

    test('a task has a key of its own, not its element instance key', async () => {
      const key = await createInstance(camunda(), id, { submittedAt: '2030-05-01T10:00:00Z', urgency: 1 });
      const task = await userTaskOf(camunda(), key, 'review');
      expect(task.elementInstanceKey).toBeDefined();
      expect(task.userTaskKey).not.toBe(task.elementInstanceKey);
    });

    test('a priority outside 0..100 is an incident', async () => {
      const key = await createInstance(camunda(), id, { submittedAt: '2030-05-01T10:00:00Z', urgency: 20 });
      const [incident] = await incidents(camunda(), { processInstanceKey: key });
      expect(incident).toMatchObject({ errorType: 'EXTRACT_VALUE_ERROR', elementId: 'review', errorMessage: "Expected priority to be in the range [0,100] but was '200'." });
    });

    test('searched by state, candidate group, assignee, instance and element; assigned; completed with variables', async () => {
      const key = await createInstance(camunda(), id, { submittedAt: '2030-05-01T10:00:00Z', urgency: 1 });
      const task = await userTaskOf(camunda(), key, 'review');
      const mine = (items: { processInstanceKey?: string }[]) => items.some((t) => t.processInstanceKey === key);
      expect(await userTasks(camunda(), { candidateGroup: 'auditors', processDefinitionId: id, state: 'CREATED' }, mine)).not.toHaveLength(0);
      expect(await userTasks(camunda(), { assignee: 'demo', processDefinitionId: id }, mine)).not.toHaveLength(0);
      const none = await camunda().searchUserTasks({ filter: { candidateGroup: 'nobody', processInstanceKey: key } }, { consistency: { waitUpToMs: 0 } });
      expect(none.items).toEqual([]);

      await camunda().assignUserTask({ userTaskKey: task.userTaskKey, assignee: 'wang' });
      await userTasks(camunda(), { assignee: 'wang', processInstanceKey: key }, mine);
      await camunda().completeUserTask({ userTaskKey: task.userTaskKey, variables: { comment: 'fine', region: 'east' } });

      const approve = await userTaskOf(camunda(), key, 'approve');
      // Its candidate groups are a FEEL list built from the variables the review left.
      expect(approve.candidateGroups).toEqual(['managers', 'east-leads']);
      expect(approve.assignee).toBeUndefined();
      expect(approve.priority).toBe(50);
      const [reviewed] = await userTasks(camunda(), { userTaskKey: task.userTaskKey }, (items) => items[0]?.state === 'COMPLETED');
      expect(reviewed).toMatchObject({ state: 'COMPLETED', assignee: 'wang' });

      await camunda().completeUserTask({ userTaskKey: approve.userTaskKey, variables: { approved: true } });
      await completed(camunda(), key);
      expect(await variablesOf(camunda(), key, (v) => 'approved' in v)).toMatchObject({ comment: 'fine', region: 'east', approved: true });
    });
  });

  describe('linked forms', () => {
    test('a new task links the latest version of its form; an existing task keeps its own', async () => {
      const suffix = uniqueSuffix();
      const model = fixture('user-task.bpmn', suffix);
      const form = fixture('review.form', suffix);
      const id = model.id('conf-user-task');
      const v1 = (await deploy(camunda(), model, form)).forms[0]!;
      const before = await userTaskOf(camunda(), await createInstance(camunda(), id, { submittedAt: '2030-05-01T10:00:00Z', urgency: 1 }), 'review');
      expect(before.formKey).toBe(v1.formKey);

      const revised = { ...form, file: () => new File([form.text.replace('"label": "Comment"', '"label": "Remarks"')], form.name) };
      const v2 = (await deploy(camunda(), revised)).forms[0]!;
      expect(Number(v2.version)).toBe(2);
      const after = await userTaskOf(camunda(), await createInstance(camunda(), id, { submittedAt: '2030-05-01T10:00:00Z', urgency: 1 }), 'review');
      expect(after.formKey).toBe(v2.formKey);
      const schema = (await camunda().getUserTaskForm({ userTaskKey: after.userTaskKey }, wait)) as { schema: { components: { label: string }[] } };
      expect(schema.schema.components[0]!.label).toBe('Remarks');
      expect((await camunda().getUserTask({ userTaskKey: before.userTaskKey }, wait)).formKey).toBe(v1.formKey);
    });

    test('a form not deployed yet does not stop the deployment: the task waits in a FORM_NOT_FOUND incident', async () => {
      const suffix = uniqueSuffix();
      const model = fixture('user-task.bpmn', suffix);
      await deploy(camunda(), model);
      const key = await createInstance(camunda(), model.id('conf-user-task'), { submittedAt: '2030-05-01T10:00:00Z', urgency: 1 });
      const [incident] = await incidents(camunda(), { processInstanceKey: key });
      expect(incident).toMatchObject({ errorType: 'FORM_NOT_FOUND', elementId: 'review', state: 'ACTIVE' });
      expect(incident!.errorMessage).toContain(`'${model.id('conf-review-form')}'`);

      const form = (await deploy(camunda(), fixture('review.form', suffix))).forms[0]!;
      await camunda().resolveIncident({ incidentKey: incident!.incidentKey! });
      const task = await userTaskOf(camunda(), key, 'review');
      expect(task.formKey).toBe(form.formKey);
      expect((await instanceWhen(camunda(), key, (pi) => pi.hasIncident === false)).state).toBe('ACTIVE');
    });
  });

  describe('gateways', () => {
    test('exclusive: the first true condition, else the default flow', async () => {
      const model = fixture('exclusive-gateway.bpmn');
      await deploy(camunda(), model);
      const id = model.id('conf-xor');
      const large = await createInstance(camunda(), id, { amount: 500 });
      const medium = await createInstance(camunda(), id, { amount: 50 });
      const small = await createInstance(camunda(), id, { amount: 5 });
      for (const [type, key] of [['large', large], ['medium', medium], ['small', small]] as const) {
        const jobs = await activate(camunda(), model.id(`conf-xor.${type}`), { count: 2, waitMs: 1_500 });
        expect(jobs.map((j) => j.processInstanceKey)).toEqual([key]);
        await camunda().completeJob({ jobKey: jobs[0]!.jobKey });
        await completed(camunda(), key);
      }
    });

    test('exclusive without default: no true condition is an incident', async () => {
      const model = fixture('exclusive-no-default.bpmn');
      await deploy(camunda(), model);
      const key = await createInstance(camunda(), model.id('conf-xor-strict'), { answer: 'maybe' });
      const [incident] = await incidents(camunda(), { processInstanceKey: key });
      expect(incident).toMatchObject({ errorType: 'CONDITION_ERROR', elementId: 'decide', state: 'ACTIVE' });
      expect(incident!.errorMessage).toBe('Expected at least one condition to evaluate to true, or to have a default flow');
      expect((await instanceWhen(camunda(), key, (pi) => pi.hasIncident === true)).state).toBe('ACTIVE');
    });

    test('exclusive: a condition that is not a boolean (a missing variable) is an incident', async () => {
      const model = fixture('exclusive-gateway.bpmn');
      await deploy(camunda(), model);
      const key = await createInstance(camunda(), model.id('conf-xor'), { price: 5 });
      const [incident] = await incidents(camunda(), { processInstanceKey: key });
      expect(incident).toMatchObject({ errorType: 'EXTRACT_VALUE_ERROR', elementId: 'size', state: 'ACTIVE' });
      expect(incident!.errorMessage).toContain("Expected result of the expression 'amount > 100' to be 'BOOLEAN', but was 'NULL'.");
    });

    test('parallel: both branches at once; the join waits for both', async () => {
      const model = fixture('parallel-gateway.bpmn');
      await deploy(camunda(), model);
      const key = await createInstance(camunda(), model.id('conf-and'));
      const a = await activateOne(camunda(), model.id('conf-and.a'));
      const b = await activateOne(camunda(), model.id('conf-and.b'));
      await camunda().completeJob({ jobKey: a.jobKey, variables: { fromA: 1 } });
      expect(await activateNow(camunda(), model.id('conf-and.after'))).toEqual([]);
      await camunda().completeJob({ jobKey: b.jobKey, variables: { fromB: 2 } });
      const after = await activate(camunda(), model.id('conf-and.after'), { count: 2, waitMs: 1_500 });
      expect(after).toHaveLength(1);
      expect(after[0]!.variables).toEqual({ fromA: 1, fromB: 2 });
      await camunda().completeJob({ jobKey: after[0]!.jobKey });
      await completed(camunda(), key);
    });

    test('parallel: a branch that ends at once leaves the instance running in the other, with its variables', async () => {
      const model = fixture('parallel-branch-ends.bpmn');
      await deploy(camunda(), model);
      const key = await createInstance(camunda(), model.id('conf-and-ends'), { caseId: 'c-1' });
      const a = await activateOne(camunda(), model.id('conf-and-ends.a'));
      expect(a.variables).toEqual({ caseId: 'c-1' });
      expect((await camunda().getProcessInstance({ processInstanceKey: key as never }, { consistency: { waitUpToMs: 0 } })).state).toBe('ACTIVE');
      await camunda().completeJob({ jobKey: a.jobKey });
      await completed(camunda(), key);
    });

    test('inclusive: every branch whose condition holds; the join waits for those only', async () => {
      const model = fixture('inclusive-gateway.bpmn');
      await deploy(camunda(), model);
      const key = await createInstance(camunda(), model.id('conf-or'), { checks: ['a', 'c'] });
      const a = await activateOne(camunda(), model.id('conf-or.a'));
      const c = await activateOne(camunda(), model.id('conf-or.c'));
      expect(await activateNow(camunda(), model.id('conf-or.b'))).toEqual([]);
      await camunda().completeJob({ jobKey: c.jobKey });
      expect(await activateNow(camunda(), model.id('conf-or.after'))).toEqual([]);
      await camunda().completeJob({ jobKey: a.jobKey });
      const after = await activate(camunda(), model.id('conf-or.after'), { count: 2, waitMs: 1_500 });
      expect(after.map((j) => j.processInstanceKey)).toEqual([key]);
      await camunda().completeJob({ jobKey: after[0]!.jobKey });
      await completed(camunda(), key);
    });

    describe('event-based', () => {
      const model = fixture('event-gateway.bpmn');
      beforeAll(() => deploy(camunda(), model));
      afterEach(() => camunda().resetClock());

      test('the message comes first: its path is taken, the timer is gone', async () => {
        const orderId = uniqueSuffix();
        const key = await createInstance(camunda(), model.id('conf-ebg'), { orderId });
        await camunda().publishMessage({ name: model.id('conf-ebg.paid'), correlationKey: orderId, timeToLive: 60_000, variables: { paidAmount: 12 } });
        const ship = await activateOne(camunda(), model.id('conf-ebg.ship'));
        expect(ship.processInstanceKey).toBe(key);
        expect(ship.variables).toMatchObject({ paidAmount: 12 });
        await camunda().pinClock({ timestamp: Date.now() + 2 * 3600_000 });
        expect((await activateNow(camunda(), model.id('conf-ebg.remind'))).filter((j) => j.processInstanceKey === key)).toEqual([]);
        await camunda().completeJob({ jobKey: ship.jobKey });
        await completed(camunda(), key);
      });

      test('the timer comes first: its path is taken, the message subscription is gone', async () => {
        const orderId = uniqueSuffix();
        const key = await createInstance(camunda(), model.id('conf-ebg'), { orderId });
        await camunda().pinClock({ timestamp: Date.now() + 2 * 3600_000 });
        const remind = await activateOne(camunda(), model.id('conf-ebg.remind'));
        expect(remind.processInstanceKey).toBe(key);
        const rejection = await rejectionOf(camunda().correlateMessage({ name: model.id('conf-ebg.paid'), correlationKey: orderId }));
        expect(rejection.status).toBe(404);
        await camunda().completeJob({ jobKey: remind.jobKey });
        await completed(camunda(), key);
      });
    });
  });

  describe('variables', () => {
    test('input mappings are local to the task; with output mappings only the mapped values reach the process', async () => {
      const model = fixture('io-mapping.bpmn');
      await deploy(camunda(), model);
      const key = await createInstance(camunda(), model.id('conf-io'), { unitPrice: 5, quantity: 3, customer: { name: 'Li' } });
      const job = await activateOne(camunda(), model.id('conf-io.price'));
      expect(job.variables).toEqual({ unitPrice: 5, quantity: 3, customer: { name: 'Li' }, total: 15, customerName: 'Li' });
      await camunda().completeJob({ jobKey: job.jobKey, variables: { discounted: 12, note: 'internal' } });
      await completed(camunda(), key);
      expect(await variablesOf(camunda(), key, (v) => 'finalPrice' in v)).toEqual({
        unitPrice: 5,
        quantity: 3,
        customer: { name: 'Li' },
        finalPrice: 12,
        grossPrice: 15,
      });
    });

    test('a job result updates the variable where it exists (a sub-process local), a new one goes to the process', async () => {
      const model = fixture('embedded-subprocess.bpmn');
      await deploy(camunda(), model);
      const key = await createInstance(camunda(), model.id('conf-sub'), { counter: 1 });
      const inner = await activateOne(camunda(), model.id('conf-sub.inner'));
      expect(inner.variables).toEqual({ counter: 0 });
      await camunda().completeJob({ jobKey: inner.jobKey, variables: { counter: 5, fresh: 'new' } });
      // The sub-process ended without output mappings: its local counter is gone, the process's is untouched.
      const after = await activateOne(camunda(), model.id('conf-sub.after'));
      expect(after.variables).toEqual({ counter: 1, fresh: 'new' });
      await camunda().completeJob({ jobKey: after.jobKey });
      await completed(camunda(), key);
    });

    test('searched by instance and name, values are JSON text', async () => {
      const model = fixture('service-task.bpmn');
      await deploy(camunda(), model);
      const values = { text: 'hello "world"', number: 42.5, object: { list: [1, 'two', null] }, flag: true, nothing: null };
      const key = await createInstance(camunda(), model.id('conf-service'), values);
      for (const [name, value] of Object.entries(values)) {
        const result = await camunda().searchVariables(
          { filter: { processInstanceKey: key, name } },
          { consistency: { waitUpToMs: 15_000, predicate: (r) => r.items.length > 0 } },
        );
        expect(result.items).toHaveLength(1);
        expect(result.items[0]).toMatchObject({ name, value: JSON.stringify(value), processInstanceKey: key, scopeKey: key });
      }
    });
  });

  describe('call activities', () => {
    test('parent variables go in; all child variables come back, or only the mapped ones', async () => {
      const suffix = uniqueSuffix();
      const parent = fixture('call-activity.bpmn', suffix);
      const child = fixture('call-activity-child.bpmn', suffix);
      await deploy(camunda(), child);
      await deploy(camunda(), parent);
      const key = await createInstance(camunda(), parent.id('conf-call-parent'), { applicant: 'Wang' });

      const first = await activateOne(camunda(), child.id('conf-call-child.work'));
      expect(first.processInstanceKey).not.toBe(key);
      expect(first.processDefinitionId).toBe(child.id('conf-call-child'));
      expect(first.variables).toEqual({ applicant: 'Wang' });
      const childInstance = await camunda().getProcessInstance({ processInstanceKey: first.processInstanceKey }, wait);
      expect(childInstance.parentProcessInstanceKey).toBe(key);
      await camunda().completeJob({ jobKey: first.jobKey, variables: { childResult: 'one', extra: 1 } });

      const second = await activateOne(camunda(), child.id('conf-call-child.work'));
      expect(second.variables).toEqual({ applicant: 'Wang', childResult: 'one', extra: 1 });
      await camunda().completeJob({ jobKey: second.jobKey, variables: { childResult: 'two', other: 2 } });

      await completed(camunda(), key);
      expect(await variablesOf(camunda(), key, (v) => 'mappedResult' in v)).toEqual({ applicant: 'Wang', childResult: 'one', extra: 1, mappedResult: 'two' });
      const children = await camunda().searchProcessInstances(
        { filter: { parentProcessInstanceKey: key } },
        { consistency: { waitUpToMs: 15_000, predicate: (r) => r.items.length === 2 && r.items.every((i) => i.state === 'COMPLETED') } },
      );
      expect(children.items.map((i) => i.processInstanceKey).sort()).toEqual([first.processInstanceKey, second.processInstanceKey].sort());
    });

    test('a called process that is not deployed is an incident on the call activity', async () => {
      const parent = fixture('call-activity.bpmn');
      await deploy(camunda(), parent);
      const key = await createInstance(camunda(), parent.id('conf-call-parent'));
      const [incident] = await incidents(camunda(), { processInstanceKey: key });
      expect(incident).toMatchObject({
        errorType: 'CALLED_ELEMENT_ERROR',
        elementId: 'callAll',
        errorMessage: `Expected process with BPMN process id '${parent.id('conf-call-child')}' to be deployed, but not found.`,
      });
    });
  });

  describe('multi-instance', () => {
    const model = fixture('multi-instance.bpmn');
    const id = model.id('conf-mi');
    beforeAll(() => deploy(camunda(), model));

    test('parallel: all at once; sequential: one at a time; outputs in item order', async () => {
      const key = await createInstance(camunda(), id, { items: ['a', 'b', 'c'] });
      const parallel = await activate(camunda(), model.id('conf-mi.parallel'), { count: 3 });
      expect(parallel).toHaveLength(3);
      const byCounter = [...parallel].sort((x, y) => Number(x.variables.loopCounter) - Number(y.variables.loopCounter));
      expect(byCounter.map((j) => [j.variables.item, j.variables.loopCounter])).toEqual([
        ['a', 1],
        ['b', 2],
        ['c', 3],
      ]);
      // Completed in reverse: the collection still follows the items.
      for (const job of [...byCounter].reverse()) {
        await camunda().completeJob({ jobKey: job.jobKey, variables: { result: `${String(job.variables.item)}!` } });
      }

      const seen: unknown[] = [];
      for (let i = 0; i < 3; i++) {
        const jobs = await activate(camunda(), model.id('conf-mi.sequential'), { count: 2, waitMs: 1_500 });
        expect(jobs).toHaveLength(1);
        seen.push(jobs[0]!.variables.item);
        await camunda().completeJob({ jobKey: jobs[0]!.jobKey, variables: { result: i * 10 } });
      }
      expect(seen).toEqual(['a', 'b', 'c']);
      await completed(camunda(), key);
      const vars = await variablesOf(camunda(), key, (v) => 'sequentialResults' in v);
      expect(vars.parallelResults).toEqual(['a!', 'b!', 'c!']);
      expect(vars.sequentialResults).toEqual([0, 10, 20]);
    });

    test('an empty collection completes at once', async () => {
      const key = await createInstance(camunda(), id, { items: [] });
      await completed(camunda(), key);
      expect(await variablesOf(camunda(), key, (v) => 'sequentialResults' in v)).toEqual({ items: [], parallelResults: [], sequentialResults: [] });
    });
  });

  describe('FEEL inside the engine', () => {
    const model = fixture('feel.bpmn');
    const id = model.id('conf-feel');
    beforeAll(() => deploy(camunda(), model));

    test('count, sum, is defined in a condition; date arithmetic and string functions in mappings', async () => {
      const key = await createInstance(camunda(), id, { scores: [3, 4, 5], receivedAt: '2030-01-01T08:00:00Z', applicant: 'zhang wei' });
      const job = await activateOne(camunda(), model.id('conf-feel.accepted'));
      expect(job.processInstanceKey).toBe(key);
      expect(job.variables).toMatchObject({ deadline: '2030-01-02T10:00:00Z', average: 4, code: 'ZHA' });
      await camunda().completeJob({ jobKey: job.jobKey });
      await completed(camunda(), key);
    });

    test.each([
      ['too few scores', { scores: [9, 9] }],
      ['a veto', { scores: [3, 4, 5], veto: 'no' }],
    ])('the default flow when the condition fails: %s', async (_, variables) => {
      const key = await createInstance(camunda(), id, { receivedAt: '2030-01-01T08:00:00Z', applicant: 'x', ...variables });
      const job = await activateOne(camunda(), model.id('conf-feel.rejected'));
      expect(job.processInstanceKey).toBe(key);
      await camunda().completeJob({ jobKey: job.jobKey });
      await completed(camunda(), key);
    });
  });
});
