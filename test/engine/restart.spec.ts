import type { ChildProcess } from 'node:child_process';
import { freePort, kill, startEngineProcess, strictClient } from '../support/engine';
import { createTestDatabase } from '../support/test-app';

/**
 * The engine process is killed with SIGKILL while completions are in flight, then started again on the same
 * database: every instance continues, timers that fell due meanwhile fire, jobs whose lock expired can be
 * activated again, and no job acknowledged before the kill comes back.
 */

const MODEL = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="restart-definitions" targetNamespace="http://doudi/test">
  <bpmn:process id="restart" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="verify" />
    <bpmn:serviceTask id="verify"><bpmn:extensionElements><zeebe:taskDefinition type="restart.verify" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="verify" targetRef="wait" />
    <bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="wait" targetRef="notify" />
    <bpmn:serviceTask id="notify"><bpmn:extensionElements><zeebe:taskDefinition type="restart.notify" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f4" sourceRef="notify" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`;

const N = 40;
const LOCK_MS = 60_000;
const T0 = Date.parse('2027-03-01T00:00:00Z');

describe('embedded engine after SIGKILL', () => {
  let databaseUrl: string;
  let port: number;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    port = await freePort();
  });

  afterAll(async () => {
    if (child && child.exitCode === null) await kill(child);
  });

  it('continues every instance, fires timers due meanwhile, re-offers expired locks, completes nothing twice', async () => {
    child = await startEngineProcess(databaseUrl, port);
    let camunda = strictClient(`http://127.0.0.1:${port}`);
    await camunda.pinClock({ timestamp: T0 });
    await camunda.createDeployment({ resources: [new File([MODEL], 'restart.bpmn')] });
    const instanceKeys: string[] = [];
    for (let i = 0; i < N; i++) {
      const { processInstanceKey } = await camunda.createProcessInstance({ processDefinitionId: 'restart' as never, variables: { i } });
      instanceKeys.push(processInstanceKey);
    }
    const { jobs } = await camunda.activateJobs({ type: 'restart.verify', worker: 'before-kill', timeout: LOCK_MS, maxJobsToActivate: N });
    expect(jobs).toHaveLength(N);

    // Half the completions are acknowledged; the other half is in flight when the process dies.
    const acknowledged = new Set<(typeof jobs)[number]['jobKey']>();
    for (const job of jobs.slice(0, N / 2)) {
      await camunda.completeJob({ jobKey: job.jobKey, variables: { verified: job.variables.i } });
      acknowledged.add(job.jobKey);
    }
    const inFlight = jobs.slice(N / 2).map((job) =>
      camunda.completeJob({ jobKey: job.jobKey, variables: { verified: job.variables.i } }).then(
        () => acknowledged.add(job.jobKey),
        () => undefined,
      ),
    );
    await kill(child);
    await Promise.all(inFlight);

    child = await startEngineProcess(databaseUrl, port);
    camunda = strictClient(`http://127.0.0.1:${port}`);
    // The pinned clock survived the restart: nothing is due yet, so no lock has expired.
    const tooEarly = await camunda.activateJobs({ type: 'restart.verify', worker: 'after-kill', timeout: LOCK_MS, maxJobsToActivate: N, requestTimeout: -1 });
    expect(tooEarly.jobs).toHaveLength(0);

    // Past the lock timeout: exactly the jobs whose completion was not acknowledged are offered again.
    await camunda.pinClock({ timestamp: T0 + LOCK_MS + 1_000 });
    const again = await camunda.activateJobs({ type: 'restart.verify', worker: 'after-kill', timeout: LOCK_MS, maxJobsToActivate: N, requestTimeout: -1 });
    const reoffered = again.jobs.map((job) => job.jobKey);
    expect(reoffered.filter((key) => acknowledged.has(key))).toEqual([]);
    expect(reoffered.length + acknowledged.size).toBe(N);
    for (const job of again.jobs) await camunda.completeJob({ jobKey: job.jobKey, variables: { verified: job.variables.i } });
    // A completion acknowledged before the kill cannot be repeated.
    await expect(camunda.completeJob({ jobKey: [...acknowledged][0]! })).rejects.toThrow(/NOT_FOUND|404/);

    // Kill again while every instance waits at its one-hour timer; the timers fall due while the engine is down.
    await kill(child);
    child = await startEngineProcess(databaseUrl, port);
    camunda = strictClient(`http://127.0.0.1:${port}`);
    await camunda.pinClock({ timestamp: T0 + 2 * 60 * 60_000 });
    const notify = await camunda.activateJobs({ type: 'restart.notify', worker: 'after-timer', timeout: LOCK_MS, maxJobsToActivate: N, requestTimeout: -1 });
    expect(notify.jobs.map((job) => job.processInstanceKey).sort()).toEqual([...instanceKeys].sort());
    expect(notify.jobs.every((job) => job.variables.verified === job.variables.i)).toBe(true);
    for (const job of notify.jobs) await camunda.completeJob({ jobKey: job.jobKey });

    const completed = await camunda.searchProcessInstances(
      { filter: { processDefinitionId: 'restart', state: 'COMPLETED' }, page: { limit: N } },
      { consistency: { waitUpToMs: 0 } },
    );
    expect(completed.items.map((instance) => instance.processInstanceKey).sort()).toEqual([...instanceKeys].sort());
  });
});
