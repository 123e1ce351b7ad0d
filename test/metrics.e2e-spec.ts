import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import request from 'supertest';
import { Role } from '../src/auth/roles';
import { WorkflowService } from '../src/workflow/workflow.service';
import { startTestApp, type TestApp } from './support/test-app';

describe('GET /metrics', () => {
  let testApp: TestApp;
  const scrape = async () => {
    const response = await request(testApp.app.getHttpServer()).get('/metrics').expect(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    return response.text;
  };

  beforeAll(async () => {
    testApp = await startTestApp({}, { withEngine: true });
  });

  afterAll(async () => {
    await testApp?.close();
  });

  it('answers without a token, outside /api/v1', async () => {
    expect(await scrape()).toContain('# TYPE doudi_http_request_duration_seconds histogram');
    await request(testApp.app.getHttpServer()).get('/api/v1/metrics').expect(404);
  });

  it('times API calls by route template, never by raw URL', async () => {
    const token = await testApp.token([Role.Supervisor], '320102');
    const id = randomUUID();
    await request(testApp.app.getHttpServer()).get(`/api/v1/dibao/cases/${id}`).set('Authorization', `Bearer ${token}`).expect(404);
    await request(testApp.app.getHttpServer()).get(`/api/v1/dibao/cases/${id}`).expect(401);
    const text = await scrape();
    expect(text).toContain('doudi_http_request_duration_seconds_count{method="GET",route="/api/v1/dibao/cases/:id",status="404"} 1');
    expect(text).toContain('doudi_http_request_duration_seconds_count{method="GET",route="/api/v1/dibao/cases/:id",status="401"} 1');
    expect(text).not.toContain(id);
    expect(text).not.toContain('route="/metrics"');
  });

  it('times job handlers by job type', async () => {
    await testApp.app.get(WorkflowService).ready;
    const token = await testApp.token([Role.Supervisor], '320102');
    await request(testApp.app.getHttpServer()).post('/api/v1/health-checks').set('Authorization', `Bearer ${token}`).send({ reason: 'metrics' }).expect(200);
    expect(await scrape()).toMatch(/^doudi_job_handler_duration_seconds_count\{job_type="doudi\.health\.ping"\} [1-9]/m);
  });

  it('counts open and breached deadlines by type and county at scrape time', async () => {
    const db = new Client({ connectionString: testApp.databaseUrl });
    await db.connect();
    try {
      const insert = `INSERT INTO deadline (type, subject_type, subject_id, region_code, responsible_group, rule, source, started_at, due_at, met_at, breached_at)
                      VALUES ($1, 'dibao-case', $2, $3, 'township', 'r', 's', now(), now() + interval '1 day', $4, $5)`;
      await db.query(insert, ['metrics-test', randomUUID(), '320102001001', null, null]);
      await db.query(insert, ['metrics-test', randomUUID(), '320102002001', null, null]);
      await db.query(insert, ['metrics-test', randomUUID(), '320102001001', null, new Date()]);
      await db.query(insert, ['metrics-test', randomUUID(), '320102001001', new Date(), null]); // met: not counted
    } finally {
      await db.end();
    }
    const text = await scrape();
    expect(text).toContain('doudi_deadlines{type="metrics-test",region="320102",status="open"} 2');
    expect(text).toContain('doudi_deadlines{type="metrics-test",region="320102",status="breached"} 1');
  });

  const gaugeValue = (text: string, series: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  };

  it('reports the age of the oldest open deadline, from its start on the clock', async () => {
    const db = new Client({ connectionString: testApp.databaseUrl });
    await db.connect();
    try {
      // Ten days old and still open; an older breached and an older met one do not count.
      const insert = `INSERT INTO deadline (type, subject_type, subject_id, region_code, responsible_group, rule, source, started_at, due_at, met_at, breached_at)
                      VALUES ('metrics-age', 'dibao-case', $1, '320102001001', 'township', 'r', 's', now() - make_interval(days => $2), now() + interval '1 day', $3, $4)`;
      await db.query(insert, [randomUUID(), 10, null, null]);
      await db.query(insert, [randomUUID(), 30, null, new Date()]);
      await db.query(insert, [randomUUID(), 40, new Date(), null]);
    } finally {
      await db.end();
    }
    const text = await scrape();
    expect(text).toContain('# HELP doudi_oldest_open_deadline_seconds ');
    const age = gaugeValue(text, 'doudi_oldest_open_deadline_seconds')!;
    expect(age).toBeGreaterThanOrEqual(10 * 86400);
    expect(age).toBeLessThan(10 * 86400 + 120);
  });

  it('counts the outbox rows not yet dispatched, and stops counting one once dispatched', async () => {
    const before = await scrape();
    expect(before).toContain('# HELP doudi_outbox_backlog ');
    const pending = gaugeValue(before, 'doudi_outbox_backlog{kind="publish-message"}')!;
    const db = new Client({ connectionString: testApp.databaseUrl });
    await db.connect();
    try {
      // Not due for a day, so the dispatcher leaves it alone while the test reads the gauge.
      const [row] = (
        await db.query(
          `INSERT INTO engine_outbox (kind, message_name, correlation_key, business_key, subject_type, subject_id, next_attempt_at)
           VALUES ('publish-message', 'metrics.test', $1, $1, 'metrics-test', $1, now() + interval '1 day') RETURNING id`,
          [randomUUID()],
        )
      ).rows as { id: string }[];
      expect(gaugeValue(await scrape(), 'doudi_outbox_backlog{kind="publish-message"}')).toBe(pending + 1);
      await db.query(`UPDATE engine_outbox SET dispatched_at = now() WHERE id = $1`, [row!.id]);
      expect(gaugeValue(await scrape(), 'doudi_outbox_backlog{kind="publish-message"}')).toBe(pending);
    } finally {
      await db.end();
    }
  });
});
