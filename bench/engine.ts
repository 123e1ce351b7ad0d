/* `npm run bench:engine`: the embedded engine (state in PostgreSQL, driven through the SDK over HTTP) against bare
   in-memory bpmn-engine, on the same model: start → 3 service tasks → user task → end, N instances. */
import 'reflect-metadata';
import { BpmnModdle } from 'bpmn-moddle';
import { Engine as BareEngine } from 'bpmn-engine';
import { EventEmitter } from 'node:events';
import { freePort, startEngineProcess } from '../test/support/engine';
import { runBenchmark, withBenchDatabase } from './bench-database';
import { camundaClient } from '../src/workflow/camunda-client';

const N = Number(process.env.BENCH_N ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const JOB_TYPES = ['bench.verify', 'bench.assess', 'bench.notify'];

function model(service: (id: string) => string, userTask: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="bench-definitions" targetNamespace="http://doudi/bench">
  <bpmn:process id="bench" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="t1" />
    ${service('t1')}
    <bpmn:sequenceFlow id="f2" sourceRef="t1" targetRef="t2" />
    ${service('t2')}
    <bpmn:sequenceFlow id="f3" sourceRef="t2" targetRef="t3" />
    ${service('t3')}
    <bpmn:sequenceFlow id="f4" sourceRef="t3" targetRef="review" />
    ${userTask}
    <bpmn:sequenceFlow id="f5" sourceRef="review" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`;
}

const zeebeModel = model(
  (id) => `<bpmn:serviceTask id="${id}"><bpmn:extensionElements><zeebe:taskDefinition type="${JOB_TYPES[Number(id[1]) - 1]}" /></bpmn:extensionElements></bpmn:serviceTask>`,
  `<bpmn:userTask id="review"><bpmn:extensionElements><zeebe:userTask /></bpmn:extensionElements></bpmn:userTask>`,
);
const bareModel = model((id) => `<bpmn:serviceTask id="${id}" implementation="\${environment.services.work}" />`, `<bpmn:userTask id="review" />`);

interface Result {
  instancesPerSecond: number;
  commandsPerSecond: number;
  commands: number;
}

/** Runs `count` tasks with at most `limit` at a time. */
async function pool(count: number, limit: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, count) }, async () => {
    while (next < count) await task(next++);
  }));
}

async function benchEmbedded(databaseUrl: string): Promise<Result> {
  // The engine runs as `npm run engine` does, in a process of its own, so the SDK clients do not share its thread.
  const port = await freePort();
  const engine = await startEngineProcess(databaseUrl, port);
  // The SDK as the service uses it (no contract validation: that is a test-time check, not engine work).
  const camunda = camundaClient({ CAMUNDA_REST_ADDRESS: `http://127.0.0.1:${port}`, CAMUNDA_AUTH_STRATEGY: 'NONE', CAMUNDA_SDK_LOG_LEVEL: 'error' });
  try {
    await camunda.createDeployment({ resources: [new File([zeebeModel], 'bench.bpmn')] });
    let started = performance.now();
    await pool(N, CONCURRENCY, async () => {
      await camunda.createProcessInstance({ processDefinitionId: 'bench' as never, variables: { householdSize: 3 } });
    });
    const instancesPerSecond = N / ((performance.now() - started) / 1000);

    started = performance.now();
    let commands = 0;
    const worker = async (type: string) => {
      let completed = 0;
      while (completed < N) {
        const { jobs } = await camunda.activateJobs({ type, worker: 'bench', timeout: 60_000, maxJobsToActivate: 64, requestTimeout: 1_000 });
        await pool(jobs.length, 8, async (i) => {
          await camunda.completeJob({ jobKey: jobs[i]!.jobKey, variables: { [type.replace('.', '_')]: true } });
        });
        completed += jobs.length;
        commands += jobs.length;
      }
    };
    const reviewer = async () => {
      let completed = 0;
      while (completed < N) {
        const { items } = await camunda.searchUserTasks({ filter: { state: 'CREATED' }, page: { limit: 100 } }, { consistency: { waitUpToMs: 0 } });
        await pool(items.length, 8, async (i) => {
          await camunda.completeUserTask({ userTaskKey: items[i]!.userTaskKey, variables: { approved: true } });
        });
        completed += items.length;
        commands += items.length;
        if (!items.length) await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    await Promise.all([...JOB_TYPES.map(worker), reviewer()]);
    const commandsPerSecond = commands / ((performance.now() - started) / 1000);
    const { page } = await camunda.searchProcessInstances({ filter: { state: 'COMPLETED' } }, { consistency: { waitUpToMs: 0 } });
    if (Number(page.totalItems) !== N) throw new Error(`expected ${N} completed instances, found ${page.totalItems}`);
    return { instancesPerSecond, commandsPerSecond, commands };
  } finally {
    await new Promise((resolve) => {
      engine.once('exit', resolve);
      engine.kill('SIGTERM');
    });
  }
}

async function benchBare(): Promise<Result> {
  const moddleContext = await new BpmnModdle().fromXML(bareModel);
  const pending: (() => void)[] = [];
  let ended = 0;
  let started = performance.now();
  for (let i = 0; i < N; i++) {
    const listener = new EventEmitter();
    listener.on('wait', (api: { signal(): void }) => pending.push(() => api.signal()));
    const engine = new BareEngine({ name: `bench-${i}`, moddleContext, services: { work: (_: unknown, done: () => void) => pending.push(done) } } as never);
    engine.once('end', () => ended++);
    await engine.execute({ listener } as never);
  }
  const instancesPerSecond = N / ((performance.now() - started) / 1000);
  started = performance.now();
  let commands = 0;
  for (let command = pending.shift(); command; command = pending.shift()) {
    command();
    commands++;
    await null;
  }
  const commandsPerSecond = commands / ((performance.now() - started) / 1000);
  if (ended !== N) throw new Error(`bare bpmn-engine: expected ${N} ended instances, got ${ended}`);
  return { instancesPerSecond, commandsPerSecond, commands };
}

async function main(): Promise<void> {
  await withBenchDatabase('doudi_bench', async (databaseUrl) => {
    const bare = await benchBare();
    const embedded = await benchEmbedded(databaseUrl);
    const row = (label: string, r: Result) => `${label.padEnd(44)} ${r.instancesPerSecond.toFixed(0).padStart(8)} ${r.commandsPerSecond.toFixed(0).padStart(12)}`;
    console.log(`\nN = ${N} instances of start → 3 service tasks → user task → end; ${4 * N} commands (job + user-task completions)`);
    console.log(`${''.padEnd(44)} ${'inst/s'.padStart(8)} ${'commands/s'.padStart(12)}`);
    console.log(row('embedded engine (PostgreSQL, SDK over HTTP)', embedded));
    console.log(row('bare bpmn-engine (in memory, no I/O)', bare));
    const ratio = embedded.commandsPerSecond / bare.commandsPerSecond;
    console.log(`ratio embedded / bare: instances ${(embedded.instancesPerSecond / bare.instancesPerSecond).toFixed(2)}, commands ${ratio.toFixed(2)}`);
    console.log(`targets: ≥ 300 commands/s → ${embedded.commandsPerSecond >= 300 ? 'met' : 'NOT met'}; ratio ≥ 0.5 → ${ratio >= 0.5 ? 'met' : 'NOT met'}`);
  });
}

runBenchmark(main);
