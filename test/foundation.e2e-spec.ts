import { Body, Controller, Get, Module, Post } from '@nestjs/common';
import { IsInt, IsString } from 'class-validator';
import { Client } from 'pg';
import request from 'supertest';
import { Roles } from '../src/auth/principal';
import { Role } from '../src/auth/roles';
import { AuditService } from '../src/audit/audit.service';
import { Idempotent } from '../src/common/idempotency/idempotency.interceptor';
import { createApp } from '../src/app.factory';
import { createTestDatabase, LogCapture, migrationUrlOf, startTestApp, testConfig, TestApp } from './support/test-app';

const ID_NUMBER = '11010519491231002X';
const COUNTY = '410821';
const TOWNSHIP = '410821100';

/** A creating call that counts its executions, to observe the idempotency mechanism from outside. */
class ProbeDto {
  @IsString() name!: string;
  @IsInt() amountFen!: number;
}
let probeExecutions = 0;
@Controller('probe')
class ProbeController {
  @Post()
  @Roles(Role.Integrator)
  @Idempotent()
  create(@Body() body: ProbeDto) {
    probeExecutions += 1;
    return { id: probeExecutions, ...body };
  }

  /** A defect: a 500 whose cause must reach the log, masked like every line. */
  @Get('defect')
  @Roles(Role.Integrator)
  defect(): never {
    throw new Error(`probe defect while handling applicant ${ID_NUMBER}`);
  }
}
@Module({ controllers: [ProbeController] })
class ProbeModule {}

describe('service foundation (real app, real PostgreSQL)', () => {
  let t: TestApp;
  let http: ReturnType<typeof request>;

  beforeAll(async () => {
    t = await startTestApp({}, { extraImports: [ProbeModule] });
    http = request(t.app.getHttpServer());
  });
  afterAll(() => t.close());

  const postProbe = (token: string, body: object, key?: string) => {
    const call = http.post('/api/v1/probe').set('Authorization', `Bearer ${token}`);
    return (key ? call.set('Idempotency-Key', key) : call).send(body);
  };

  describe('health and documentation', () => {
    it('reports the database up and the unreachable engine down, without a token', async () => {
      const response = await http.get('/health').expect(503);
      expect(response.body.details.database.status).toBe('up');
      expect(response.body.details.engine).toMatchObject({ status: 'down', address: 'http://127.0.0.1:1' });
    });

    it('serves Swagger UI and the OpenAPI document', async () => {
      await http.get('/api/docs').expect(200).expect('content-type', /html/);
      const { body } = await http.get('/api/docs/openapi.json').expect(200);
      expect(Object.keys(body.paths)).toEqual(expect.arrayContaining(['/api/v1/audit-events', '/api/v1/health-checks', '/health']));
    });
  });

  describe('authentication and scope', () => {
    it('answers 401 problem+json without a token or with a bad one', async () => {
      const none = await http.get('/api/v1/audit-events').expect(401).expect('content-type', /application\/problem\+json/);
      expect(none.body).toMatchObject({ status: 401, instance: '/api/v1/audit-events' });
      await http.get('/api/v1/audit-events').set('Authorization', 'Bearer not-a-jwt').expect(401);
    });

    it('answers 403 to a role the route does not admit', async () => {
      const token = await t.token([Role.TownshipCaseworker], TOWNSHIP);
      const response = await http.get('/api/v1/audit-events').set('Authorization', `Bearer ${token}`).expect(403);
      expect(response.body.detail).toMatch(/supervisor/);
    });

    it('answers 403 to a region outside the token and 200 inside it', async () => {
      const token = await t.token([Role.Supervisor], COUNTY);
      const outside = await http.get('/api/v1/audit-events?regionCode=410822100').set('Authorization', `Bearer ${token}`).expect(403);
      expect(outside.body.detail).toMatch(/410822100 is outside your region 410821/);
      await http.get(`/api/v1/audit-events?regionCode=${TOWNSHIP}`).set('Authorization', `Bearer ${token}`).expect(200);
    });

    it('a township supervisor cannot widen its scope to the county', async () => {
      const token = await t.token([Role.Supervisor], TOWNSHIP);
      await http.get(`/api/v1/audit-events?regionCode=${COUNTY}`).set('Authorization', `Bearer ${token}`).expect(403);
    });
  });

  describe('validation', () => {
    it('answers 400 problem+json naming an unknown body field, and runs nothing', async () => {
      const token = await t.token([Role.Supervisor], COUNTY);
      const response = await http
        .post('/api/v1/health-checks')
        .set('Authorization', `Bearer ${token}`)
        .send({ reason: 'weekly check', colour: 'red' })
        .expect(400)
        .expect('content-type', /application\/problem\+json/);
      expect(response.body).toMatchObject({ status: 400, errors: [{ field: 'colour', message: 'unknown field "colour" is not allowed' }] });
    });

    it('names each wrong field', async () => {
      const token = await t.token([Role.Integrator], COUNTY);
      const response = await postProbe(token, { name: 7, amountFen: 1.5 }).expect(400);
      expect(response.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['amountFen', 'name']);
    });

    it('answers malformed JSON with 400 problem+json', async () => {
      const token = await t.token([Role.Integrator], COUNTY);
      await http.post('/api/v1/probe').set('Authorization', `Bearer ${token}`).set('Content-Type', 'application/json').send('{"name":').expect(400).expect('content-type', /problem\+json/);
    });

    it('answers 503 problem+json when the engine cannot run a health check', async () => {
      const token = await t.token([Role.Supervisor], COUNTY);
      const response = await http.post('/api/v1/health-checks').set('Authorization', `Bearer ${token}`).send({}).expect(503);
      expect(response.body.code).toBe('engine-unavailable');
    });
  });

  describe('idempotency keys', () => {
    it('replays the first answer to a repeated request and executes it once', async () => {
      const token = await t.token([Role.Integrator], COUNTY);
      const before = probeExecutions;
      const send = () => postProbe(token, { name: 'a', amountFen: 100 }, 'req-001');
      const first = await send().expect(201);
      const second = await send().expect(201).expect('Idempotent-Replayed', 'true');
      expect(second.body).toEqual(first.body);
      expect(probeExecutions).toBe(before + 1);
    });

    it('refuses the same key for a different request with 422', async () => {
      const token = await t.token([Role.Integrator], COUNTY);
      await postProbe(token, { name: 'a', amountFen: 1 }, 'req-002').expect(201);
      const reused = await postProbe(token, { name: 'a', amountFen: 2 }, 'req-002').expect(422);
      expect(reused.body.code).toBe('idempotency-key-reused');
    });

    it('frees the key of a failed request, so the corrected retry runs', async () => {
      const token = await t.token([Role.Integrator], COUNTY);
      await postProbe(token, { name: 'a' }, 'req-003').expect(400);
      await postProbe(token, { name: 'a', amountFen: 5 }, 'req-003').expect(201);
    });

    it('keeps keys per caller', async () => {
      const one = await t.token([Role.Integrator], COUNTY, 'system-one');
      const two = await t.token([Role.Integrator], COUNTY, 'system-two');
      const a = await postProbe(one, { name: 'a', amountFen: 1 }, 'shared').expect(201);
      const b = await postProbe(two, { name: 'a', amountFen: 1 }, 'shared').expect(201);
      expect(b.body.id).not.toBe(a.body.id);
    });
  });

  describe('audit trail', () => {
    it('is written by the audit service and readable in scope', async () => {
      const audit = t.app.get(AuditService);
      await audit.record({ actor: { id: 'caseworker-1', roles: [Role.TownshipCaseworker] }, regionCode: TOWNSHIP, action: 'test.recorded', subjectType: 'case', subjectId: 'case-1' });
      const token = await t.token([Role.Supervisor], COUNTY);
      const { body } = await http.get('/api/v1/audit-events?subjectType=case&subjectId=case-1').set('Authorization', `Bearer ${token}`).expect(200);
      expect(body.items).toEqual([expect.objectContaining({ action: 'test.recorded', regionCode: TOWNSHIP, actorId: 'caseworker-1' })]);
    });

    it('refuses UPDATE, DELETE and TRUNCATE in the database itself, even to the owner', async () => {
      // The service role is refused these by privilege already (test/privileges.e2e-spec.ts); the triggers hold for the owner too.
      const client = new Client({ connectionString: migrationUrlOf(t.databaseUrl) });
      await client.connect();
      try {
        await expect(client.query(`UPDATE audit_event SET action = 'forged'`)).rejects.toThrow(/append-only: UPDATE refused/);
        await expect(client.query(`DELETE FROM audit_event`)).rejects.toThrow(/append-only: DELETE refused/);
        await expect(client.query(`TRUNCATE audit_event`)).rejects.toThrow(/append-only: TRUNCATE refused/);
        const { rows } = await client.query(`SELECT count(*)::int AS n FROM audit_event WHERE action = 'test.recorded'`);
        expect(rows[0].n).toBe(1);
      } finally {
        await client.end();
      }
    });
  });

  describe('logs', () => {
    it('logs the cause of a 500, masked, while the caller gets no detail', async () => {
      const token = await t.token([Role.Integrator], '110105');
      const response = await http.get('/api/v1/probe/defect').set('Authorization', `Bearer ${token}`).expect(500);
      expect(JSON.stringify(response.body)).not.toContain('probe defect');
      const line = t.logs.lines.find((l) => l.includes('request failed') && l.includes(response.body.requestId));
      expect(line).toContain('probe defect while handling applicant 110105********002X');
      expect(t.logs.text).not.toContain(ID_NUMBER);
    });

    it('are JSON with a request id, echoed to the caller', async () => {
      const response = await http.get('/health').set('X-Request-Id', 'trace-abc-123');
      expect(response.headers['x-request-id']).toBe('trace-abc-123');
      const line = t.logs.lines.map((l) => JSON.parse(l)).find((l) => l.req?.id === 'trace-abc-123');
      expect(line).toMatchObject({ req: { url: '/health' }, res: { statusCode: 503 } });
    });

    it('never carry an ID number unmasked, nor the bearer token', async () => {
      const token = await t.token([Role.Supervisor], COUNTY);
      await http.get(`/api/v1/audit-events?subjectId=${ID_NUMBER}`).set('Authorization', `Bearer ${token}`).expect(200);
      await http.post('/api/v1/health-checks').set('Authorization', `Bearer ${token}`).send({ reason: `applicant ${ID_NUMBER}` }).expect(503);
      expect(t.logs.text).toContain('110105********002X');
      expect(t.logs.text).not.toContain(ID_NUMBER);
      expect(t.logs.text).not.toContain(token);
    });
  });
});

describe('start-up checks of models against job workers', () => {
  it('fails naming a job type without a worker and a worker without a job type', async () => {
    const config = testConfig(await createTestDatabase(), { BPMN_DIR: 'test/fixtures/unmatched-workers' });
    const app = await createApp(config, { logDestination: new LogCapture() });
    const failure = app.init();
    await expect(failure).rejects.toThrow(/job type "doudi\.fixture\.unhandled" \(in unhandled-job\.bpmn\) has no worker/);
    await expect(failure).rejects.toThrow(/worker HealthCheckWorker\.ping handles job type "doudi\.health\.ping", which no model/);
    await app.close();
  });
});
