import request from 'supertest';
import { DataSource } from 'typeorm';
import { createApp } from '../src/app.factory';
import { Role } from '../src/auth/roles';
import { signDevToken } from '../src/auth/dev-token';
import { startEngineServer, type EngineServer } from '../src/engine/engine-server';
import { OutboxDispatcher } from '../src/outbox/outbox.dispatcher';
import { OutboxReconciler } from '../src/outbox/outbox.reconciler';
import { WorkflowService } from '../src/workflow/workflow.service';
import { strictClient } from './support/engine';
import { Scenario, TestClock } from './support/scenario';
import { createTestDatabase, LogCapture, migrationUrlOf, testConfig } from './support/test-app';

const VILLAGE = '410821100201';
const AT = new Date('2026-09-14T01:00:00Z');
const integrator = { roles: [Role.Integrator], region: '410821', id: 'portal' };

/** The instances of `processId` the engine holds for a subject, found the way an operator would (variable search). */
async function instancesOf(address: string, processId: string, subjectId: string): Promise<string[]> {
  const camunda = strictClient(address);
  const { items } = await camunda.searchVariables({ filter: { name: 'subjectId', value: JSON.stringify(subjectId) } } as never, { consistency: { waitUpToMs: 0 } });
  const keys = [...new Set(items.map((v) => String(v.processInstanceKey)))];
  if (keys.length === 0) return [];
  const { items: instances } = await camunda.searchProcessInstances({ filter: { processInstanceKey: { $in: keys }, processDefinitionId: processId } } as never, { consistency: { waitUpToMs: 0 } });
  return instances.map((i) => String(i.processInstanceKey));
}

async function until<T>(what: string, read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('engine outbox: the engine is never called inside a transaction', () => {
  describe('engine down at application, back after a restart', () => {
    let databaseUrl: string;
    let engine: EngineServer;

    beforeAll(async () => {
      databaseUrl = await createTestDatabase();
      engine = await startEngineServer({ databaseUrl, migrationUrl: migrationUrlOf(databaseUrl), port: 0 });
    });
    afterAll(async () => {
      await engine?.close();
    });

    const boot = async (address: string) => {
      const config = testConfig(databaseUrl, { ZEEBE_REST_ADDRESS: address });
      const app = await createApp(config, { logDestination: new LogCapture(), clock: new TestClock(AT) });
      await app.init();
      const token = await signDevToken(config.AUTH_JWT_SECRET!, { sub: integrator.id, roles: integrator.roles, region: integrator.region });
      return { app, token };
    };

    it('commits the case with an outbox row and answers 201 without an instance; the restarted service starts it once', async () => {
      // The service's engine address is a closed port: the engine is unreachable for it (its own database is shared).
      const offline = await boot('http://127.0.0.1:1');
      const db = offline.app.get(DataSource);
      const response = await request(offline.app.getHttpServer())
        .post('/api/v1/dibao/applications')
        .set('Authorization', `Bearer ${offline.token}`)
        .set('Idempotency-Key', 'offline-1')
        .send(Scenario.application(VILLAGE, '赵一', '19600101'));
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ status: 'applied', processInstanceKey: null });
      const caseId = response.body.caseId as string;
      const [row] = await db.query(`SELECT * FROM engine_outbox WHERE subject_id = $1`, [caseId]);
      expect(row).toMatchObject({ kind: 'start-process', process_id: 'dibao-application', business_key: `dibao-case:${caseId}`, dispatched_at: null, attempts: 1 });
      expect(row.last_error).toMatch(/fetch failed/);
      expect(await db.query(`SELECT process_instance_key FROM dibao_case WHERE id = $1`, [caseId])).toEqual([{ process_instance_key: null }]);
      // The committed answer replays (no 409, no 500), still without an instance.
      const replay = await request(offline.app.getHttpServer())
        .post('/api/v1/dibao/applications')
        .set('Authorization', `Bearer ${offline.token}`)
        .set('Idempotency-Key', 'offline-1')
        .send(Scenario.application(VILLAGE, '赵一', '19600101'));
      expect(replay.status).toBe(201);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body.caseId).toBe(caseId);
      await offline.app.close();

      // Restart against the live engine: the dispatcher starts the instance and writes its key to the case.
      const online = await boot(engine.url);
      try {
        await online.app.get(WorkflowService).ready;
        const onlineDb = online.app.get(DataSource);
        const [{ process_instance_key: key }] = await until(
          'the instance key on the case',
          () => onlineDb.query(`SELECT process_instance_key FROM dibao_case WHERE id = $1`, [caseId]),
          (rows: { process_instance_key: string | null }[]) => rows[0]?.process_instance_key !== null,
        );
        expect(await instancesOf(engine.url, 'dibao-application', caseId)).toEqual([key]);
        const [dispatched] = await onlineDb.query(`SELECT dispatched_at, result FROM engine_outbox WHERE subject_id = $1`, [caseId]);
        expect(dispatched.result).toEqual({ processInstanceKey: key });
        expect(dispatched.dispatched_at).not.toBeNull();
      } finally {
        await online.app.close();
      }
    });
  });

  describe('with a live engine', () => {
    let s: Scenario;
    beforeAll(async () => {
      s = await Scenario.start(AT);
    });
    afterAll(async () => {
      await s?.close();
    });

    it('answers with the instance key at once when the engine is up', async () => {
      const response = await s.post(integrator, '/api/v1/dibao/applications', Scenario.application(VILLAGE, '钱二', '19610101'));
      expect(response.status).toBe(201);
      expect(response.body.processInstanceKey).toMatch(/^\d+$/);
      const [c] = await s.app.get(DataSource).query(`SELECT process_instance_key FROM dibao_case WHERE id = $1`, [response.body.caseId]);
      expect(c.process_instance_key).toBe(response.body.processInstanceKey);
    });

    it('a row dispatched twice (the first dispatcher died after the engine answered) starts one instance', async () => {
      const caseId = await s.apply(integrator, Scenario.application(VILLAGE, '孙三', '19620101'));
      const db = s.app.get(DataSource);
      const [{ process_instance_key: first }] = await db.query(`SELECT process_instance_key FROM dibao_case WHERE id = $1`, [caseId]);
      // The state such a crash leaves: the engine has the instance, the outbox row and the case know nothing of it.
      await db.query(`UPDATE engine_outbox SET dispatched_at = NULL, result = NULL, claimed_until = NULL, next_attempt_at = now() - interval '1 second' WHERE subject_id = $1`, [caseId]);
      await db.query(`UPDATE dibao_case SET process_instance_key = NULL WHERE id = $1`, [caseId]);
      const dispatcher = s.app.get(OutboxDispatcher);
      await dispatcher.runOnce();
      await dispatcher.runOnce();
      const [row] = await db.query(`SELECT result, dispatched_at FROM engine_outbox WHERE subject_id = $1`, [caseId]);
      expect(row.result).toEqual({ processInstanceKey: first, existing: true });
      expect(await db.query(`SELECT process_instance_key FROM dibao_case WHERE id = $1`, [caseId])).toEqual([{ process_instance_key: first }]);
      expect(await instancesOf(s.testApp.config.ZEEBE_REST_ADDRESS!, 'dibao-application', caseId)).toEqual([first]);
    });

    it('the reconciler cancels a ghost instance with nothing done and lists it to supervisors until then', async () => {
      const ghostSubject = '00000000-0000-4000-8000-00000000beef';
      const camunda = strictClient(s.testApp.config.ZEEBE_REST_ADDRESS!);
      const ghost = await camunda.createProcessInstance({
        processDefinitionId: 'dibao-application' as never,
        variables: { caseId: ghostSubject, subjectId: ghostSubject, subjectType: 'dibao-case', regionCode: VILLAGE, villageCode: VILLAGE, townshipCode: VILLAGE.slice(0, 9), countyCode: VILLAGE.slice(0, 6), requestType: 'household', relativesCase: false, objectionRaised: false, acceptDueAt: '2026-09-30T00:00:00.000Z' },
      });
      const key = String(ghost.processInstanceKey);
      const supervisor = { roles: [Role.Supervisor], region: '410821' };
      const listed = await s.until(
        'the ghost listed',
        async () => (await s.get(supervisor, '/api/v1/sla/orphans')).body,
        (body: { items?: { processInstanceKey: string; nothingDone: boolean }[] }) => (body.items ?? []).some((o) => o.processInstanceKey === key && o.nothingDone),
      );
      expect(listed.items!.find((o: { processInstanceKey: string }) => o.processInstanceKey === key)).toMatchObject({ subjectId: ghostSubject, regionCode: VILLAGE, openTasks: ['Task_accept'] });
      // Another region's supervisor does not see it; a caseworker may not ask.
      expect((await s.get({ roles: [Role.Supervisor], region: '410822' }, '/api/v1/sla/orphans')).body.items).toEqual([]);
      expect((await s.get({ roles: [Role.TownshipCaseworker], region: '410821100' }, '/api/v1/sla/orphans')).status).toBe(403);

      const result = await s.app.get(OutboxReconciler).reconcile();
      expect(result.cancelled).toContain(key);
      const { items } = await camunda.searchProcessInstances({ filter: { processInstanceKey: key } } as never, { consistency: { waitUpToMs: 0 } });
      expect(items[0]?.state).toBe('TERMINATED');
      expect((await s.get(supervisor, '/api/v1/sla/orphans')).body.items).toEqual([]);
      // Cases of ours are no ghosts: nothing of theirs was cancelled.
      expect(result.orphans).toEqual([]);
    });

    it('the reconciler writes a start command for a case that has neither an instance nor one', async () => {
      const caseId = await s.apply(integrator, Scenario.application(VILLAGE, '李四', '19630101'));
      const db = s.app.get(DataSource);
      const [{ process_instance_key: original }] = await db.query(`SELECT process_instance_key FROM dibao_case WHERE id = $1`, [caseId]);
      await s.app.get(DataSource).query(`DELETE FROM engine_outbox WHERE subject_id = $1`, [caseId]);
      await camundaCancel(s, original);
      await db.query(`UPDATE dibao_case SET process_instance_key = NULL WHERE id = $1`, [caseId]);
      const result = await s.app.get(OutboxReconciler).reconcile();
      expect(result.enqueued).toEqual([`dibao-case:${caseId}`]);
      await db.query(`UPDATE engine_outbox SET next_attempt_at = now() WHERE subject_id = $1`, [caseId]);
      await s.app.get(OutboxDispatcher).runOnce();
      const [{ process_instance_key: restarted }] = await db.query(`SELECT process_instance_key FROM dibao_case WHERE id = $1`, [caseId]);
      // A new instance: the cancelled one is not reused.
      expect(restarted).toMatch(/^\d+$/);
      expect(restarted).not.toBe(original);
      const { items } = await strictClient(s.testApp.config.ZEEBE_REST_ADDRESS!).searchProcessInstances({ filter: { processInstanceKey: restarted, state: 'ACTIVE' } } as never, { consistency: { waitUpToMs: 0 } });
      expect(items).toHaveLength(1);
    });
  });
});

async function camundaCancel(s: Scenario, key: string): Promise<void> {
  await strictClient(s.testApp.config.ZEEBE_REST_ADDRESS!).cancelProcessInstance({ processInstanceKey: key as never });
}
