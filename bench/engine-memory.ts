/* `npm run bench:engine-memory`: memory of the embedded engine with 1,000 and with 100,000 instances parked at a
   user task. Instances live in PostgreSQL and are loaded only to apply a command, so the two should match.
   The 99,000 extra instances are cloned in SQL from parked ones (fresh keys), which takes seconds, not minutes. */
import 'reflect-metadata';
import { Client } from 'pg';
import { startEngineServer, type EngineServer } from '../src/engine/engine-server';
import { strictClient } from '../test/support/engine';
import { runBenchmark, withBenchDatabase } from './bench-database';

const MODEL = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="memory-definitions" targetNamespace="http://doudi/bench">
  <bpmn:process id="parked" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    <bpmn:userTask id="review"><bpmn:extensionElements><zeebe:userTask /><zeebe:assignmentDefinition candidateGroups="township-caseworker" /></bpmn:extensionElements></bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`;

function heapMb(): { heap: number; rss: number } {
  (globalThis as { gc?: () => void }).gc?.();
  const usage = process.memoryUsage();
  return { heap: usage.heapUsed / 2 ** 20, rss: usage.rss / 2 ** 20 };
}

/** Serves a workload (task-list searches and 100 completions) and reports memory after it. */
async function workload(server: EngineServer): Promise<{ heap: number; rss: number }> {
  const camunda = strictClient(server.url);
  for (let i = 0; i < 20; i++) {
    await camunda.searchUserTasks({ filter: { state: 'CREATED', candidateGroup: 'township-caseworker' }, page: { limit: 50 } }, { consistency: { waitUpToMs: 0 } });
  }
  const { items } = await camunda.searchUserTasks({ filter: { state: 'CREATED' }, page: { limit: 100 } }, { consistency: { waitUpToMs: 0 } });
  for (const task of items) await camunda.completeUserTask({ userTaskKey: task.userTaskKey });
  return heapMb();
}

async function main(): Promise<void> {
  if (!(globalThis as { gc?: unknown }).gc) throw new Error('run with node --expose-gc (npm run bench:engine-memory does)');
  await withBenchDatabase('doudi_mem', async (databaseUrl) => {
    let server = await startEngineServer({ databaseUrl, port: 0 });
    const camunda = strictClient(server.url);
    await camunda.createDeployment({ resources: [new File([MODEL], 'parked.bpmn')] });
    for (let i = 0; i < 1_100; i++) await camunda.createProcessInstance({ processDefinitionId: 'parked' as never, variables: { i } });
    await server.close();

    server = await startEngineServer({ databaseUrl, port: 0 });
    const small = await workload(server);
    await server.close();

    // Clone the parked instances up to 100,000 (+100 the workload completes), each with keys of its own.
    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    await db.query(`
      WITH source AS (SELECT p.*, t.user_task_key, t.element_instance_key AS task_element FROM engine_process_instance p
                      JOIN engine_user_task t USING (process_instance_key) WHERE t.state = 'CREATED' LIMIT 1000),
           copies AS (SELECT s.*, n, 9000000000000000 + n * 10 AS new_key FROM source s, generate_series(1, 99) n),
           instances AS (
             INSERT INTO engine_process_instance (process_instance_key, process_definition_key, bpmn_process_id, version, state, has_incident, start_date, tenant_id, data)
             SELECT new_key + (row_number() OVER ()) * 1000, process_definition_key, bpmn_process_id, version, state, false, start_date, tenant_id,
                    replace(replace(data::text, '"' || process_instance_key || '"', '"' || (new_key + (row_number() OVER ()) * 1000) || '"'),
                            '"' || task_element || '"', '"' || (new_key + (row_number() OVER ()) * 1000 + 1) || '"')::jsonb
             FROM copies RETURNING process_instance_key, process_definition_key, bpmn_process_id, version, tenant_id)
      INSERT INTO engine_user_task (user_task_key, element_id, element_instance_key, process_instance_key, process_definition_key, bpmn_process_id, version, state, candidate_groups, creation_date, tenant_id)
      SELECT process_instance_key + 1, 'review', process_instance_key + 1, process_instance_key, process_definition_key, bpmn_process_id, version, 'CREATED', '{township-caseworker}', now(), tenant_id
      FROM instances`);
    const { rows } = await db.query(`SELECT count(*)::int AS parked FROM engine_user_task WHERE state = 'CREATED'`);
    await db.end();

    server = await startEngineServer({ databaseUrl, port: 0 });
    const large = await workload(server);
    await server.close();

    console.log(`\nembedded engine memory after a workload (20 task-list searches, 100 completions), heap after GC:`);
    console.log(`  1,000 instances parked at a user task:   heap ${small.heap.toFixed(1)} MB, rss ${small.rss.toFixed(0)} MB`);
    console.log(`${String(rows[0].parked).padStart(7)} instances parked at a user task:  heap ${large.heap.toFixed(1)} MB, rss ${large.rss.toFixed(0)} MB`);
    console.log(`heap ratio 100k / 1k: ${(large.heap / small.heap).toFixed(2)} (target: no more memory for 100,000 than for 1,000)`);
  });
}

runBenchmark(main);
