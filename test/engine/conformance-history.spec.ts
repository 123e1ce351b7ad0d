import { activateOne, createInstance, deploy, describeEngines, fixture, instanceWhen, rejectionOf, searchUntil, type Camunda } from './conformance-helpers';

/**
 * Conformance, part C: what a case page needs to draw an instance (issue 19) — the deployed BPMN XML, process
 * definitions, and the element instances an instance went through (ACTIVE, COMPLETED, TERMINATED), observed only
 * through the SDK (strict validation), against the embedded engine and, when CAMUNDA_REST_ADDRESS is set, a real
 * Camunda 8.8.
 */

const wait = { consistency: { waitUpToMs: 15_000 } };

type ElementInstance = NonNullable<Awaited<ReturnType<Camunda['searchElementInstances']>>['items']>[number];

describeEngines('conformance: history', (engine) => {
  const camunda = () => engine().camunda;

  /** The element instances of a process instance, oldest first, once `ready` holds. */
  const elementsOf = (processInstanceKey: string, ready: (items: ElementInstance[]) => boolean, filter: Record<string, unknown> = {}) =>
    searchUntil<ElementInstance>(
      (c) =>
        camunda().searchElementInstances(
          { filter: { processInstanceKey, ...filter }, sort: [{ field: 'elementInstanceKey', order: 'ASC' }], page: { limit: 100 } } as never,
          c as never,
        ) as never,
      ready,
    );
  const summary = (items: ElementInstance[]) => items.map((e) => `${e.elementId}:${e.type}:${e.state}`);

  describe('process definitions', () => {
    const model = fixture('service-task.bpmn');
    let key: string;
    beforeAll(async () => {
      key = String((await deploy(camunda(), model)).processes[0]!.processDefinitionKey);
    });

    test('the XML of a definition is the BPMN file as deployed', async () => {
      const xml = await camunda().getProcessDefinitionXml({ processDefinitionKey: key as never }, wait);
      expect(typeof xml).toBe('string');
      expect(xml).toBe(model.text);
    });

    test('an unknown definition key answers 404, for the XML and for the definition', async () => {
      const unknown = '2251799813000001';
      expect((await rejectionOf(camunda().getProcessDefinitionXml({ processDefinitionKey: unknown as never }, { consistency: { waitUpToMs: 0 } }))).status).toBe(404);
      expect((await rejectionOf(camunda().getProcessDefinition({ processDefinitionKey: unknown as never }, { consistency: { waitUpToMs: 0 } }))).status).toBe(404);
    });

    test('found by key and by search on its id and version', async () => {
      const id = model.id('conf-service');
      const got = await camunda().getProcessDefinition({ processDefinitionKey: key as never }, wait);
      expect(got).toMatchObject({ processDefinitionKey: key, processDefinitionId: id, version: 1, name: 'Service task', resourceName: 'service-task.bpmn', hasStartForm: false });
      const found = await searchUntil(
        (c) => camunda().searchProcessDefinitions({ filter: { processDefinitionId: id, version: 1 } } as never, c as never) as never,
        (items: unknown[]) => items.length === 1,
      );
      expect(found).toEqual([expect.objectContaining({ processDefinitionKey: key, processDefinitionId: id, version: 1 })]);
      const none = await camunda().searchProcessDefinitions({ filter: { processDefinitionId: id, version: 2 } } as never, { consistency: { waitUpToMs: 0 } });
      expect(none.items ?? []).toEqual([]);
    });
  });

  describe('element instances', () => {
    const service = fixture('service-task.bpmn');
    const xor = fixture('exclusive-gateway.bpmn');
    const cancel = fixture('cancel.bpmn');
    const mi = fixture('multi-instance.bpmn');
    beforeAll(() => deploy(camunda(), service, xor, cancel, mi));

    test('an instance waiting at a job: the start event completed, the task active; then the path to the end', async () => {
      const key = await createInstance(camunda(), service.id('conf-service'));
      const waiting = await elementsOf(key, (items) => items.length === 2);
      expect(summary(waiting)).toEqual(['start:START_EVENT:COMPLETED', 'work:SERVICE_TASK:ACTIVE']);
      const [start, work] = waiting;
      expect(start).toMatchObject({ processInstanceKey: key, processDefinitionId: service.id('conf-service'), elementName: 'start', hasIncident: false, tenantId: '<default>' });
      expect(start!.endDate).toBeDefined();
      expect(work).toMatchObject({ elementName: 'Work', state: 'ACTIVE', hasIncident: false });
      expect(work!.endDate).toBeUndefined();
      expect(work!.processDefinitionKey).toBe(start!.processDefinitionKey);

      // Found by its key, and by state, element id and type.
      const byKey = await camunda().getElementInstance({ elementInstanceKey: work!.elementInstanceKey }, wait);
      expect(byKey).toEqual(work);
      expect(summary(await elementsOf(key, (items) => items.length === 1, { state: 'ACTIVE' }))).toEqual(['work:SERVICE_TASK:ACTIVE']);
      expect(summary(await elementsOf(key, (items) => items.length === 1, { elementId: 'start' }))).toEqual(['start:START_EVENT:COMPLETED']);
      expect(summary(await elementsOf(key, (items) => items.length === 1, { type: 'SERVICE_TASK' }))).toEqual(['work:SERVICE_TASK:ACTIVE']);

      const job = await activateOne(camunda(), service.id('conf-service.work'));
      expect(job.elementInstanceKey).toBe(work!.elementInstanceKey);
      await camunda().completeJob({ jobKey: job.jobKey, variables: {} });
      const done = await elementsOf(key, (items) => items.length === 3 && items.every((e) => e.state === 'COMPLETED'));
      // Neither the process itself nor its sequence flows are element instances.
      expect(summary(done)).toEqual(['start:START_EVENT:COMPLETED', 'work:SERVICE_TASK:COMPLETED', 'end:END_EVENT:COMPLETED']);
      expect(done.every((e) => e.endDate && e.endDate >= e.startDate)).toBe(true);

      // Sorted and paged as asked.
      const page = await camunda().searchElementInstances(
        { filter: { processInstanceKey: key }, sort: [{ field: 'elementInstanceKey', order: 'DESC' }], page: { from: 0, limit: 1 } } as never,
        wait,
      );
      expect(Number(page.page.totalItems)).toBe(3);
      expect(summary(page.items ?? [])).toEqual(['end:END_EVENT:COMPLETED']);
    });

    test('a gateway is an element instance; the branch not taken has none', async () => {
      const key = await createInstance(camunda(), xor.id('conf-xor'), { amount: 50 });
      const items = await elementsOf(key, (items) => items.length === 3);
      expect(summary(items)).toEqual(['start:START_EVENT:COMPLETED', 'size:EXCLUSIVE_GATEWAY:COMPLETED', 'medium:SERVICE_TASK:ACTIVE']);
    });

    test('cancelling an instance terminates the elements that were waiting', async () => {
      const key = await createInstance(camunda(), cancel.id('conf-cancel'));
      await elementsOf(key, (items) => items.filter((e) => e.state === 'ACTIVE').length === 2);
      await camunda().cancelProcessInstance({ processInstanceKey: key as never });
      await instanceWhen(camunda(), key, (pi) => pi.state === 'TERMINATED');
      const items = await elementsOf(key, (items) => items.length === 4 && items.every((e) => e.state !== 'ACTIVE'));
      expect(summary(items).sort()).toEqual(['fork:PARALLEL_GATEWAY:COMPLETED', 'review:USER_TASK:TERMINATED', 'start:START_EVENT:COMPLETED', 'work:SERVICE_TASK:TERMINATED']);
      expect(items.every((e) => e.endDate !== undefined)).toBe(true);
      const terminated = await elementsOf(key, (items) => items.length === 2, { state: { $in: ['TERMINATED'] } });
      expect(terminated.map((e) => e.elementId).sort()).toEqual(['review', 'work']);
    });

    test('a multi-instance body and its inner instances, each in its scope', async () => {
      const key = await createInstance(camunda(), mi.id('conf-mi'), { items: ['a', 'b'] });
      const items = await elementsOf(key, (items) => items.length === 4);
      expect(summary(items)).toEqual([
        'start:START_EVENT:COMPLETED',
        'parallel:MULTI_INSTANCE_BODY:ACTIVE',
        'parallel:SERVICE_TASK:ACTIVE',
        'parallel:SERVICE_TASK:ACTIVE',
      ]);
      const body = items[1]!;
      const inner = await elementsOf(key, (found) => found.length === 2, { elementInstanceScopeKey: body.elementInstanceKey });
      expect(inner.map((e) => e.elementInstanceKey)).toEqual([items[2]!.elementInstanceKey, items[3]!.elementInstanceKey]);
      const top = await elementsOf(key, (found) => found.length === 2, { elementInstanceScopeKey: key });
      expect(summary(top)).toEqual(['start:START_EVENT:COMPLETED', 'parallel:MULTI_INSTANCE_BODY:ACTIVE']);
    });

    test('an element held by an incident says so, with the incident key, until it is resolved', async () => {
      const key = await createInstance(camunda(), service.id('conf-service'));
      const job = await activateOne(camunda(), service.id('conf-service.work'));
      await camunda().failJob({ jobKey: job.jobKey, retries: 0, errorMessage: 'no retries' });
      const [held] = await elementsOf(key, (items) => items.length === 1 && items[0]!.hasIncident, { elementId: 'work' });
      const [incident] = await searchUntil(
        (c) => camunda().searchIncidents({ filter: { processInstanceKey: key } } as never, c as never) as never,
        (items: { incidentKey: string }[]) => items.length === 1,
      );
      expect(held).toMatchObject({ state: 'ACTIVE', hasIncident: true, incidentKey: (incident as { incidentKey: string }).incidentKey });
      expect(summary(await elementsOf(key, (items) => items.length === 1, { hasIncident: true }))).toEqual(['work:SERVICE_TASK:ACTIVE']);
      await camunda().updateJob({ jobKey: job.jobKey, changeset: { retries: 1 } });
      await camunda().resolveIncident({ incidentKey: (incident as { incidentKey: string }).incidentKey as never });
      const [cleared] = await elementsOf(key, (items) => items.length === 1 && !items[0]!.hasIncident, { elementId: 'work' });
      expect(cleared!.incidentKey).toBeUndefined();
    });
  });
});
