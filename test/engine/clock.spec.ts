import { startEngineServer, type EngineServer } from '../../src/engine/engine-server';
import { strictClient } from '../support/engine';
import { createTestDatabase, migrationUrlOf } from '../support/test-app';

/**
 * `PUT /v2/clock` promises that every timer due at the new instant has fired when it answers. A sweep already under
 * way (the engine's own interval, or another clock move) read the timers due at the old instant: joining it is not
 * enough, the move needs a sweep of its own after it.
 */
const MODEL = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="clock-definitions" targetNamespace="http://doudi/test">
  <bpmn:process id="clock" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait" />
    <bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="notify" />
    <bpmn:serviceTask id="notify"><bpmn:extensionElements><zeebe:taskDefinition type="clock.notify" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f3" sourceRef="notify" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`;
const T0 = Date.parse('2027-03-01T00:00:00Z');
const HOUR = 3_600_000;

describe('embedded engine clock', () => {
  let server: EngineServer;

  beforeAll(async () => {
    const databaseUrl = await createTestDatabase();
    server = await startEngineServer({ databaseUrl, migrationUrl: migrationUrlOf(databaseUrl), port: 0 });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('fires the timers due at the new instant before answering, even while an earlier sweep is under way', async () => {
    const camunda = strictClient(server.url);
    await camunda.pinClock({ timestamp: T0 });
    await camunda.createDeployment({ resources: [new File([MODEL], 'clock.bpmn')] });
    const { processInstanceKey } = await camunda.createProcessInstance({ processDefinitionId: 'clock' as never });

    const earlier = server.engine.sweep(); // reads the timers due at T0: none
    await camunda.pinClock({ timestamp: T0 + HOUR });
    await earlier;

    const { jobs } = await camunda.activateJobs({ type: 'clock.notify', worker: 'clock-test', timeout: 60_000, maxJobsToActivate: 10, requestTimeout: -1 } as never);
    expect(jobs.map((job) => job.processInstanceKey)).toEqual([processInstanceKey]);
  });
});
