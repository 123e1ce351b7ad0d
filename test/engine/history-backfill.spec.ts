import { Client } from 'pg';
import { startEngineServer, type EngineServer } from '../../src/engine/engine-server';
import { strictClient } from '../support/engine';
import { createTestDatabase, migrationUrlOf } from '../support/test-app';

/**
 * Instances that were running before the engine recorded element instances (migration EngineElementInstances) have
 * no history rows: when the engine starts, the elements they wait at get theirs, so a case page shows where they are.
 */

const MODEL = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="backfill-definitions" targetNamespace="http://doudi/test">
  <bpmn:process id="backfill" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fork" />
    <bpmn:parallelGateway id="fork" />
    <bpmn:sequenceFlow id="f2" sourceRef="fork" targetRef="review" />
    <bpmn:sequenceFlow id="f3" sourceRef="fork" targetRef="each" />
    <bpmn:userTask id="review" name="Review"><bpmn:extensionElements><zeebe:userTask /></bpmn:extensionElements></bpmn:userTask>
    <bpmn:serviceTask id="each">
      <bpmn:extensionElements><zeebe:taskDefinition type="backfill.each" /></bpmn:extensionElements>
      <bpmn:multiInstanceLoopCharacteristics>
        <bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=[1, 2]" inputElement="item" /></bpmn:extensionElements>
      </bpmn:multiInstanceLoopCharacteristics>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f4" sourceRef="review" targetRef="join" />
    <bpmn:sequenceFlow id="f5" sourceRef="each" targetRef="join" />
    <bpmn:parallelGateway id="join" />
    <bpmn:sequenceFlow id="f6" sourceRef="join" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`;

describe('element instances of instances older than their history', () => {
  let databaseUrl: string;
  let server: EngineServer | undefined;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
  });

  afterAll(async () => {
    await server?.close();
  });

  const start = () => startEngineServer({ databaseUrl, migrationUrl: migrationUrlOf(databaseUrl), port: 0 });

  it('the engine records the elements a running instance is at when it starts; nothing twice, nothing for ended instances', async () => {
    server = await start();
    let camunda = strictClient(server.url);
    await camunda.createDeployment({ resources: [new File([MODEL], 'backfill.bpmn')] });
    const { processInstanceKey: running } = await camunda.createProcessInstance({ processDefinitionId: 'backfill' as never });
    const { processInstanceKey: cancelled } = await camunda.createProcessInstance({ processDefinitionId: 'backfill' as never });
    await camunda.cancelProcessInstance({ processInstanceKey: cancelled });
    const now = { consistency: { waitUpToMs: 0 } };
    const search = (processInstanceKey: string) =>
      camunda.searchElementInstances({ filter: { processInstanceKey }, sort: [{ field: 'elementInstanceKey' }] } as never, now).then((r) => r.items ?? []);
    const before = await search(running);
    await server.close();
    server = undefined;

    // As if both had run before the migration: no history at all.
    const db = new Client({ connectionString: migrationUrlOf(databaseUrl) });
    await db.connect();
    try {
      await db.query(`DELETE FROM engine_element_instance WHERE process_instance_key = ANY($1::bigint[])`, [[running, cancelled]]);
    } finally {
      await db.end();
    }

    server = await start();
    camunda = strictClient(server.url);
    const after = await search(running);
    const active = before.filter((e) => e.state === 'ACTIVE');
    expect(active.map((e) => `${e.elementId}:${e.type}`)).toEqual(['review:USER_TASK', 'each:MULTI_INSTANCE_BODY', 'each:SERVICE_TASK', 'each:SERVICE_TASK']);
    // The elements it waits at, with their keys, types and names; the path before them is not known.
    expect(after).toEqual(active.map((e) => ({ ...e, startDate: expect.any(String) })));
    expect(await search(cancelled)).toEqual([]);

    // A second start adds nothing; the recorded elements complete as usual.
    await server.close();
    server = await start();
    camunda = strictClient(server.url);
    expect(await search(running)).toHaveLength(4);
    const [task] = (await camunda.searchUserTasks({ filter: { processInstanceKey: running } } as never, now)).items;
    await camunda.completeUserTask({ userTaskKey: task!.userTaskKey });
    expect((await search(running)).map((e) => `${e.elementId}:${e.state}`)).toEqual(['review:COMPLETED', 'each:ACTIVE', 'each:ACTIVE', 'each:ACTIVE']);
  });
});
