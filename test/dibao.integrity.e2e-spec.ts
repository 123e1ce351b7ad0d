import { DataSource } from 'typeorm';
import { Role } from '../src/auth/roles';
import { DibaoWorkers } from '../src/dibao/dibao.workers';
import { type Actor, Scenario } from './support/scenario';

/** What must hold however often a call is repeated: one case per idempotency key, one row per job. */
describe('dibao integrity', () => {
  const VILLAGE = '410821100201';
  const integrator: Actor = { roles: [Role.Integrator], region: '410821', id: 'portal' };
  let s: Scenario;

  beforeAll(async () => {
    s = await Scenario.start(new Date('2026-09-14T01:00:00Z'));
  });

  afterAll(async () => {
    await s?.close();
  });

  const body: Record<string, unknown> = { ...Scenario.application(VILLAGE, '周八', '19600101'), channel: 'entrusted' };

  it('creates one case for a repeated application with the same idempotency key', async () => {
    const first = await s.post(integrator, '/api/v1/dibao/applications', body, { 'Idempotency-Key': 'portal-req-1' });
    const again = await s.post(integrator, '/api/v1/dibao/applications', body, { 'Idempotency-Key': 'portal-req-1' });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.caseId).toBe(first.body.caseId);
    const [{ count }] = await s.app.get(DataSource).query(`SELECT count(*)::int AS count FROM dibao_case WHERE created_by = 'portal'`);
    expect(count).toBe(1);
  });

  it('refuses an application without exactly one applicant, naming the field, and stores nothing', async () => {
    const count = async () => (await s.app.get(DataSource).query(`SELECT count(*)::int AS count FROM dibao_case`))[0].count as number;
    const before = await count();
    const members = body.members as Record<string, unknown>[];
    const response = await s.post(integrator, '/api/v1/dibao/applications', { ...body, members: [{ ...members[0], relation: 'spouse' }] });
    expect(response.status).toBe(400);
    expect(response.body.errors).toContainEqual({ field: 'members', message: 'exactly one member must have relation "applicant" (found 0)' });
    expect(await count()).toBe(before);
  });

  it('writes a notice once when its job runs twice', async () => {
    const caseId = await s.apply(integrator, { ...body, ...Scenario.application(VILLAGE, '周九', '19600102'), channel: 'entrusted' }, 'portal-req-2');
    const workers = s.app.get(DibaoWorkers);
    const processInstanceKey = (await s.get(integrator, `/api/v1/dibao/cases/${caseId}`)).body.processInstanceKey;
    const job = { jobKey: 'job-request-materials-1', processInstanceKey, variables: { caseId, missingMaterials: '户口簿' } };
    const first = await workers.requestMaterials(job);
    const second = await workers.requestMaterials(job);
    expect(second).toEqual(first);
    const rows = await s.app.get(DataSource).query(`SELECT kind FROM dibao_notice WHERE case_id = $1`, [caseId]);
    expect(rows).toEqual([{ kind: 'missing-materials' }]);
    const events = await s.app.get(DataSource).query(`SELECT kind FROM dibao_event WHERE case_id = $1 AND kind = 'materials-requested'`, [caseId]);
    expect(events).toHaveLength(1);
  });
});
