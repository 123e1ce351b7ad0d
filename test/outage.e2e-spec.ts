import type { INestApplication } from '@nestjs/common';
import { rmSync } from 'node:fs';
import request from 'supertest';
import { createApp } from '../src/app.factory';
import { signDevToken } from '../src/auth/dev-token';
import { Role } from '../src/auth/roles';
import { plainLogger } from '../src/common/logging';
import { type EngineServer, startEngineServer } from '../src/engine/engine-server';
import { WorkflowService } from '../src/workflow/workflow.service';
import { freePort } from './support/free-port';
import { strictClient } from './support/engine';
import { PostgresProcess } from './support/postgres-process';
import { idNumber } from './support/scenario';
import { LogCapture, testConfig } from './support/test-app';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it holds (bounded): waiting for a server, never for a deadline. */
async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(100);
  }
}

/**
 * PostgreSQL stopped under a running service (its own embedded server, app and engine on it): every route answers
 * 503 database-unavailable problem+json, /health says both the database and the engine (on that database) are down,
 * the logs stay JSON, masked, without household data and without a flood; started again, the same process recovers.
 */
describe('database outage', () => {
  const VILLAGE = '410821100201';
  const staffId = idNumber(VILLAGE, '19750505', '333');
  const relativeId = idNumber(VILLAGE, '20000505', '444');
  const entry = {
    staffName: '赵村干',
    staffIdNumber: staffId,
    post: 'village-cadre',
    regionCode: VILLAGE,
    relativeName: '赵女',
    relativeIdNumber: relativeId,
    relation: 'child',
    validFrom: '2026-01-01',
  };
  const dir = `.data/test-runs/outage-${process.pid}`;
  const appLogs = new LogCapture();
  const engineLogs = new LogCapture();
  const stray: string[] = [];
  const restore: (() => void)[] = [];
  let port: number;
  let pg: PostgresProcess;
  let engine: EngineServer;
  let app: INestApplication;
  let supervisor: string;
  let county: string;

  // Anything written past pino (console, stdout, stderr) is a defect: kept to be looked at.
  function captureStray(): void {
    for (const method of ['log', 'info', 'warn', 'error'] as const) {
      const spy = jest.spyOn(console, method).mockImplementation((...args: unknown[]) => void stray.push(`console.${method}: ${args.map(String).join(' ')}`));
      restore.push(() => spy.mockRestore());
    }
    for (const stream of [process.stdout, process.stderr]) {
      const original = stream.write.bind(stream);
      stream.write = ((chunk: unknown, ...rest: unknown[]) => {
        stray.push(String(chunk));
        return original(chunk as string, ...(rest as []));
      }) as typeof stream.write;
      restore.push(() => (stream.write = original));
    }
  }

  beforeAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    port = await freePort();
    pg = new PostgresProcess(dir, port, 'doudi_outage');
    await pg.start();
    captureStray();
    engine = await startEngineServer({ databaseUrl: pg.url, migrationUrl: pg.migrationUrl, port: 0, log: plainLogger('embedded-engine', 'info', engineLogs) });
    const config = testConfig(pg.url, { ZEEBE_REST_ADDRESS: engine.url, DATABASE_MIGRATION_URL: pg.migrationUrl });
    app = await createApp(config, { logDestination: appLogs });
    await app.init();
    supervisor = await signDevToken(config.AUTH_JWT_SECRET!, { sub: 'sup', roles: [Role.Supervisor], region: '410821' });
    county = await signDevToken(config.AUTH_JWT_SECRET!, { sub: 'county', roles: [Role.CountyCivilAffairs], region: '410821' });
    await until('healthy at start', async () => (await request(app.getHttpServer()).get('/health')).status === 200);
    // The models deployed and the workers polling: what fails during the outage.
    await app.get(WorkflowService).ready;
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await engine?.close();
    await pg?.stop();
    for (const undo of restore.reverse()) undo();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  const server = () => request(app.getHttpServer());
  const expectDatabaseUnavailable = (response: request.Response) => {
    expect(response.status).toBe(503);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.headers['retry-after']).toBe('5');
    expect(response.body).toMatchObject({ status: 503, code: 'database-unavailable', type: expect.stringMatching(/database-unavailable$/) });
  };

  it('answers 503 database-unavailable while PostgreSQL is stopped, and recovers by itself when it is back', async () => {
    expect((await server().get('/api/v1/audit-events').set('authorization', `Bearer ${supervisor}`)).status).toBe(200);
    const topologyUp = await strictClient(engine.url).getTopology();
    expect(topologyUp.brokers[0]!.partitions[0]!.health).toBe('healthy');

    await pg.stop();

    expectDatabaseUnavailable(await server().get('/api/v1/audit-events').set('authorization', `Bearer ${supervisor}`));
    expectDatabaseUnavailable(await server().get('/api/v1/sla/deadlines').set('authorization', `Bearer ${supervisor}`));
    expectDatabaseUnavailable(await server().post('/api/v1/relatives-registry').set('authorization', `Bearer ${county}`).send(entry));
    expectDatabaseUnavailable(await server().post('/api/v1/relatives-registry').set('authorization', `Bearer ${county}`).set('Idempotency-Key', 'outage-1').send(entry));
    // Refusals that need no database stay what they are.
    expect((await server().get('/api/v1/audit-events')).status).toBe(401);

    const health = await server().get('/health');
    expect(health.status).toBe(503);
    expect(health.body.details.database.status).toBe('down');
    expect(health.body.details.engine.status).toBe('down');
    // The engine's answer stays valid against Camunda's contract (the client validates strictly): an unhealthy partition.
    const topologyDown = await strictClient(engine.url).getTopology();
    expect(topologyDown.brokers[0]!.partitions[0]!.health).toBe('unhealthy');

    // The job workers poll on and fail: their lines reach the log through pino, once per cause.
    await until('an SDK line about the failing polls', async () => appLogs.lines.some((line) => line.includes('camunda sdk: activation.error')), 20_000);
    await sleep(2_000);
    const sdkLines = appLogs.lines.map((line) => JSON.parse(line)).filter((line) => String(line.msg).startsWith('camunda sdk:'));
    const causes = new Map<string, number>();
    for (const line of sdkLines) causes.set(`${line.msg}|${line.err?.message}`, (causes.get(`${line.msg}|${line.err?.message}`) ?? 0) + 1);
    expect([...causes.values()].every((count) => count === 1)).toBe(true);
    expect(sdkLines.length).toBeLessThan(10);
    const outageLines = appLogs.lines.filter((line) => line.includes('database unavailable: answered 503'));
    expect(outageLines.length).toBeLessThanOrEqual(2);
    // The background loops (outbox dispatch, reconciliation…) fail every round: one line per cause, too.
    expect(appLogs.lines.filter((line) => line.includes('outbox dispatch round failed')).length).toBeLessThanOrEqual(2);

    await pg.start();
    await until('healthy again', async () => (await server().get('/health')).status === 200, 60_000);
    expect((await server().get('/api/v1/audit-events').set('authorization', `Bearer ${supervisor}`)).status).toBe(200);
    const created = await server().post('/api/v1/relatives-registry').set('authorization', `Bearer ${county}`).send(entry);
    expect(created.status).toBe(201);
  }, 120_000);

  it('kept every line JSON, masked and free of household data; nothing went past pino', () => {
    const all = [...appLogs.lines, ...engineLogs.lines];
    for (const line of all) expect(() => JSON.parse(line)).not.toThrow();
    const text = all.join('\n');
    for (const secret of [staffId, relativeId, '赵女', '赵村干']) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/"parameters"|"query":"(?:SELECT|INSERT|UPDATE)/);
    expect(stray.filter((line) => !/^\s*$/.test(line))).toEqual([]);
  });
});
