import { ENGINE_TARGETS, startEngineUnderTest, type EngineUnderTest } from '../support/engine';

/** Commands on one instance are serialised: twenty branches completing at the same moment join exactly once. */

const BRANCHES = 20;
const branchIds = Array.from({ length: BRANCHES }, (_, i) => `branch${i}`);
const MODEL = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="concurrency-definitions" targetNamespace="http://doudi/test">
  <bpmn:process id="concurrency" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="to-fork" sourceRef="start" targetRef="fork" />
    <bpmn:parallelGateway id="fork" />
    ${branchIds
      .map(
        (id) => `<bpmn:sequenceFlow id="to-${id}" sourceRef="fork" targetRef="${id}" />
    <bpmn:serviceTask id="${id}"><bpmn:extensionElements><zeebe:taskDefinition type="concurrency.branch" /><zeebe:ioMapping><zeebe:output source="=done" target="${id}" /></zeebe:ioMapping></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="from-${id}" sourceRef="${id}" targetRef="join" />`,
      )
      .join('\n    ')}
    <bpmn:parallelGateway id="join" />
    <bpmn:sequenceFlow id="to-after" sourceRef="join" targetRef="after" />
    <bpmn:serviceTask id="after"><bpmn:extensionElements><zeebe:taskDefinition type="concurrency.after" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="to-end" sourceRef="after" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`;

const LARGE_MI = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="large-mi-definitions" targetNamespace="http://doudi/test">
  <bpmn:process id="large-mi" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="each" />
    <bpmn:serviceTask id="each">
      <bpmn:extensionElements><zeebe:taskDefinition type="large-mi.each" /></bpmn:extensionElements>
      <bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=items" inputElement="item" /></bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="each" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`;

describe('embedded engine under concurrent commands', () => {
  let engine: EngineUnderTest;

  beforeAll(async () => {
    engine = await startEngineUnderTest(ENGINE_TARGETS[0]!);
    await engine.camunda.createDeployment({ resources: [new File([MODEL], 'concurrency.bpmn')] });
  });

  afterAll(async () => {
    await engine?.close();
  });

  it('joins twenty branches completed at once exactly once, keeping every branch result', async () => {
    const { camunda } = engine;
    const { processInstanceKey } = await camunda.createProcessInstance({ processDefinitionId: 'concurrency' as never });
    const { jobs } = await camunda.activateJobs({ type: 'concurrency.branch', worker: 'w', timeout: 60_000, maxJobsToActivate: BRANCHES });
    expect(jobs).toHaveLength(BRANCHES);
    await Promise.all(jobs.map((job) => camunda.completeJob({ jobKey: job.jobKey, variables: { done: job.elementId } })));

    const after = await camunda.activateJobs({ type: 'concurrency.after', worker: 'w', timeout: 60_000, maxJobsToActivate: 5, requestTimeout: -1 });
    expect(after.jobs).toHaveLength(1);
    for (const id of branchIds) expect(after.jobs[0]!.variables[id]).toBe(id);
    await camunda.completeJob({ jobKey: after.jobs[0]!.jobKey });
    const instance = await camunda.getProcessInstance({ processInstanceKey }, { consistency: { waitUpToMs: 0 } });
    expect(instance.state).toBe('COMPLETED');
  });

  it('runs a command that needs more keys than one reservation (a 3,000-item multi-instance)', async () => {
    const { camunda } = engine;
    await camunda.createDeployment({ resources: [new File([LARGE_MI], 'large-mi.bpmn')] });
    const items = Array.from({ length: 3_000 }, (_, i) => i);
    await camunda.createProcessInstance({ processDefinitionId: 'large-mi' as never, variables: { items } });
    const { jobs } = await camunda.activateJobs({ type: 'large-mi.each', worker: 'w', timeout: 60_000, maxJobsToActivate: 5_000, fetchVariable: ['item'] });
    expect(jobs.map((job) => job.variables.item).sort((a, b) => Number(a) - Number(b))).toEqual(items);
  });

  it('lets instances proceed in parallel: 50 instances complete concurrently', async () => {
    const { camunda } = engine;
    const created = await Promise.all(Array.from({ length: 50 }, () => camunda.createProcessInstance({ processDefinitionId: 'concurrency' as never })));
    const { jobs } = await camunda.activateJobs({ type: 'concurrency.branch', worker: 'w', timeout: 60_000, maxJobsToActivate: 50 * BRANCHES });
    expect(jobs).toHaveLength(50 * BRANCHES);
    await Promise.all(jobs.map((job) => camunda.completeJob({ jobKey: job.jobKey, variables: { done: job.elementId } })));
    const after = await camunda.activateJobs({ type: 'concurrency.after', worker: 'w', timeout: 60_000, maxJobsToActivate: 100, requestTimeout: -1 });
    expect(after.jobs.map((job) => job.processInstanceKey).sort()).toEqual(created.map((c) => c.processInstanceKey).sort());
  });
});
