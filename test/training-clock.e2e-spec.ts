import request from 'supertest';
import { DataSource } from 'typeorm';
import { Role } from '../src/auth/roles';
import { WorkflowService } from '../src/workflow/workflow.service';
import { strictClient } from './support/engine';
import { seedEnrolments } from './support/enrolments';
import { startTestApp, type TestApp } from './support/test-app';

/**
 * One clock for training installs (issue 21): as `npm start` wires it, the service reads the embedded engine's clock
 * outside production, so moving it (the engine's PUT /v2/clock, or PUT /api/v1/training/clock) moves the engine's
 * timers and the service's "now" together; production keeps the system clock and refuses the route.
 */
describe('one clock for a training install', () => {
  const COUNTY = '410821';
  let t: TestApp;
  const http = () => request(t.app.getHttpServer());
  const as = async (role: Role, app: TestApp = t) => `Bearer ${await app.token([role], COUNTY, `${role}-1`)}`;
  const serviceNow = async (app: TestApp = t) => (await request(app.app.getHttpServer()).get('/api/v1/training/clock').set('Authorization', await as(Role.Supervisor, app))).body;
  const move = async (body: object, role = Role.Trainer) => http().put('/api/v1/training/clock').set('Authorization', await as(role)).send(body);
  const cycleDeadlines = async () =>
    (await t.app.get(DataSource).query(
      `SELECT d.type, d.started_at, d.breached_at, to_char(pc.month, 'YYYY-MM') AS month FROM deadline d JOIN payment_cycle pc ON pc.id::text = d.subject_id WHERE d.subject_type = 'payment-cycle' ORDER BY d.type`,
    )) as { type: string; started_at: Date; breached_at: Date | null; month: string }[];
  const until = async <T>(what: string, read: () => Promise<T>, check: (value: T) => boolean): Promise<T> => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const value = await read();
      if (check(value)) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  beforeAll(async () => {
    t = await startTestApp({}, { withEngine: true, clockAsStarted: true, engineClockAt: new Date('2026-09-24T00:00:00Z') });
    await t.app.get(WorkflowService).ready;
  });

  afterAll(async () => {
    await t?.close();
  });

  it("follows the engine's PUT /v2/clock, and PUT /training/clock fires the 25th's timer and a breach at the service's moved now", async () => {
    expect((await serviceNow()).now).toBe('2026-09-24T00:00:00.000Z');
    await strictClient(t.config.ZEEBE_REST_ADDRESS!).pinClock({ timestamp: Date.parse('2026-09-24T01:00:00Z') });
    expect(await serviceNow()).toEqual({ now: '2026-09-24T01:00:00.000Z', movable: true });
    await seedEnrolments(t.app.get(DataSource), { countyCode: COUNTY, count: 2, fromMonth: '2026-10-01' });

    // 08:00 Beijing on the 25th is the timer's 00:00 UTC: the monthly start picks October from the service's now (on
    // the real date it would pick the month after today's).
    const moved = await move({ at: '2026-09-25T08:00:00+08:00' });
    expect(moved.status).toBe(200);
    expect(moved.body).toEqual({ now: '2026-09-25T00:00:00.000Z', movable: true });
    const opened = await until('the October cycle and its deadlines', cycleDeadlines, (rows) => rows.length === 3);
    expect(opened.map((d) => [d.type, d.month, d.started_at.toISOString()])).toEqual([
      ['payment.credited', '2026-10', '2026-09-25T00:00:00.000Z'],
      ['payment.data', '2026-10', '2026-09-25T00:00:00.000Z'],
      ['payment.funds', '2026-10', '2026-09-25T00:00:00.000Z'],
    ]);

    // Past the data deadline (30 September, National Day moves it earlier): the engine's timer fires and the breach is
    // dated at the service's now, the same moved instant.
    expect((await move({ at: '2026-10-01T00:00:00+08:00' })).status).toBe(200);
    const breached = await until('the data deadline breached', cycleDeadlines, (rows) => rows.some((d) => d.breached_at !== null));
    expect(breached.filter((d) => d.breached_at).map((d) => [d.type, d.breached_at!.toISOString()])).toEqual([['payment.data', '2026-09-30T16:00:00.000Z']]);

    const audit = await t.app.get(DataSource).query(`SELECT actor_id, action, details FROM audit_event WHERE action LIKE 'training.%' ORDER BY id`);
    expect(audit).toEqual([
      { actor_id: 'trainer-1', action: 'training.clock-moved', details: { from: '2026-09-24T01:00:00.000Z', to: '2026-09-25T00:00:00.000Z' } },
      { actor_id: 'trainer-1', action: 'training.clock-moved', details: { from: '2026-09-25T00:00:00.000Z', to: '2026-09-30T16:00:00.000Z' } },
    ]);
  });

  it('refuses bad bodies naming the field, an earlier instant, another role; changing nothing', async () => {
    const field = async (body: object) => {
      const response = await move(body);
      return [response.status, ((response.body.errors ?? []) as { field: string }[]).map((e) => e.field)];
    };
    expect(await field({})).toEqual([400, ['at']]);
    expect(await field({ at: '2026-10-02T00:00:00+08:00', reset: true })).toEqual([400, ['reset']]);
    expect(await field({ at: '2026-10-02T00:00:00' })).toEqual([400, ['at']]);
    expect(await field({ at: '2026-10-32T00:00:00Z' })).toEqual([400, ['at']]);
    expect(await field({ at: 20261002 })).toEqual([400, ['at']]);
    expect(await field({ at: '2026-09-30T00:00:00Z' })).toEqual([400, ['at']]);
    expect((await move({ at: '2026-10-02T00:00:00+08:00' }, Role.Supervisor)).status).toBe(403);
    expect((await serviceNow()).now).toBe('2026-09-30T16:00:00.000Z');
  });

  it('resets to real time, service and engine together', async () => {
    const reset = await move({ reset: true });
    expect(reset.status).toBe(200);
    expect(Math.abs(Date.parse(reset.body.now) - Date.now())).toBeLessThan(5_000);
    expect(Math.abs(Date.parse((await serviceNow()).now) - Date.now())).toBeLessThan(5_000);
  });

  it('in production: the service keeps the system clock although the engine is pinned, and the route answers 403', async () => {
    const production = await startTestApp({ NODE_ENV: 'production', AUTH_JWT_SECRET: 'a-production-secret-of-at-least-32-chars' }, { withEngine: true, clockAsStarted: true });
    try {
      await strictClient(production.config.ZEEBE_REST_ADDRESS!).pinClock({ timestamp: Date.now() + 3 * 24 * 3600_000 });
      const now = await serviceNow(production);
      expect(now.movable).toBe(false);
      expect(Math.abs(Date.parse(now.now) - Date.now())).toBeLessThan(5_000);
      const refused = await request(production.app.getHttpServer()).put('/api/v1/training/clock').set('Authorization', await as(Role.Trainer, production)).send({ at: new Date(Date.now() + 4 * 24 * 3600_000).toISOString() });
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ code: 'training-clock-in-production', status: 403 });
      expect(refused.headers['content-type']).toMatch(/problem\+json/);
    } finally {
      await production.close();
    }
  });

  it('without a clock shared with the engine (an external Camunda): 409', async () => {
    const apart = await startTestApp();
    try {
      const refused = await request(apart.app.getHttpServer()).put('/api/v1/training/clock').set('Authorization', await as(Role.Trainer, apart)).send({ at: '2030-01-02T00:00:00Z' });
      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({ code: 'clock-not-joined' });
    } finally {
      await apart.close();
    }
  });
});
