import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { Role } from '../src/auth/roles';
import { PolicyProfiles, PROFILES_DIR } from '../src/policy/policy-profiles';
import { type Actor, Scenario } from './support/scenario';
import { startTestApp, type TestApp } from './support/test-app';

interface Incident {
  incidentKey: string;
  processDefinitionId: string;
  processInstanceKey: string;
  elementId: string;
  jobKey: string | null;
  errorType: string;
  errorMessage: string;
  reason: string;
  creationTime: string;
  subject: { subjectType: string; subjectId: string; regionCode: string; caseNumber?: string };
}

/**
 * A worker that meets a data problem stops its procedure at once with an incident a supervisor can read, and the
 * supervisor retries it once the data is fixed. The problem is real data: Jiaozuo's profile as it would load if its
 * notice were re-entered as taking effect only in October, swapped into the running service (the instance every
 * worker shares) between application and acceptance, and swapped back as a corrected deployment would.
 */
describe('incidents: a data problem stops the procedure visibly and a supervisor retries it', () => {
  const VILLAGE = '410821100201';
  const integrator: Actor = { roles: [Role.Integrator], region: '410821', id: 'portal' };
  const caseworker: Actor = { roles: [Role.TownshipCaseworker], region: '410821100', id: 'caseworker' };
  const supervisor: Actor = { roles: [Role.Supervisor], region: '410821', id: 'supervisor' };
  /** 博爱县, another county of Jiaozuo. */
  const otherSupervisor: Actor = { roles: [Role.Supervisor], region: '410822', id: 'other-supervisor' };
  let s: Scenario;
  let profilesDir: string | undefined;

  beforeAll(async () => {
    s = await Scenario.start(new Date('2026-09-14T01:00:00Z'));
  });

  afterAll(async () => {
    await s?.close();
    if (profilesDir) rmSync(profilesDir, { recursive: true, force: true });
  });

  /** The shipped profiles with Jiaozuo's one version taking effect on `date` instead. */
  function profilesWithJiaozuoFrom(date: string): PolicyProfiles {
    profilesDir = mkdtempSync(join(tmpdir(), 'doudi-profiles-'));
    for (const file of readdirSync(PROFILES_DIR).filter((f) => f.endsWith('.yaml'))) {
      let text = readFileSync(join(PROFILES_DIR, file), 'utf8');
      if (file === 'jiaozuo.yaml') text = text.replace(/effectiveFrom: '\d{4}-\d{2}-\d{2}'/, `effectiveFrom: '${date}'`);
      writeFileSync(join(profilesDir, file), text);
    }
    return PolicyProfiles.load(profilesDir);
  }

  const incidents = async (actor: Actor) => {
    const response = await s.get(actor, '/api/v1/sla/incidents');
    expect(response.status).toBe(200);
    return response.body.items as Incident[];
  };
  const retry = (actor: Actor, key: string) => s.post(actor, `/api/v1/sla/incidents/${key}/retry`);

  it('raises the incident without retries, lists it with its case and reason, in its region only, and retries it', async () => {
    const caseId = await s.apply(integrator, Scenario.application(VILLAGE, '孙十二', '19600808'));
    const live = s.app.get(PolicyProfiles);
    const shipped = PolicyProfiles.load();
    Object.assign(live, profilesWithJiaozuoFrom('2026-10-01'));
    await s.completeTask(caseId, 'Task_accept', caseworker, { materialsComplete: true });

    // The clock does not move: a failure retried with back-off could never become an incident here.
    const [incident] = await s.until('the incident', () => incidents(supervisor), (list) => list.length > 0);
    expect(incident).toMatchObject({
      processDefinitionId: 'dibao-application',
      elementId: 'Task_record_acceptance',
      errorType: 'JOB_NO_RETRIES',
      reason: '没有适用的政策参数版本 No policy profile version applies',
      subject: { subjectType: 'dibao-case', subjectId: caseId, regionCode: VILLAGE, caseNumber: expect.any(String) },
    });
    expect(incident!.errorMessage).toBe(
      '没有适用的政策参数版本 No policy profile version applies: profile "jiaozuo" has no version in force on 2026-09-14 (its first takes effect 2026-10-01)',
    );
    expect(incident!.jobKey).toMatch(/^\d+$/);
    // The /metrics gauge reads the same incidents from the engine at scrape time.
    const series = 'doudi_incidents_active{error_type="JOB_NO_RETRIES",process="dibao-application"}';
    const metrics = async () => (await request(s.app.getHttpServer()).get('/metrics').expect(200)).text;
    const raised = await metrics();
    expect(raised).toContain(`${series} 1`);
    expect(raised).toContain('doudi_incidents_read_ok 1');
    const failures = s.testApp.logs.lines.filter((line) => line.includes('incident raised without retries') && line.includes(incident!.jobKey!));
    expect(failures).toHaveLength(1);

    // Another county's supervisor neither sees it nor can touch it; the answer does not tell it exists.
    expect(await incidents(otherSupervisor)).toEqual([]);
    const outside = await retry(otherSupervisor, incident!.incidentKey);
    expect(outside.status).toBe(404);
    expect(outside.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(outside.body).toMatchObject({ status: 404, code: 'incident-not-found' });
    expect((await retry(supervisor, '2251799813685249')).status).toBe(404);
    expect((await retry(caseworker, incident!.incidentKey)).status).toBe(403);
    for (const malformed of ['12ab', '99999999999999999999', '0']) {
      const bad = await retry(supervisor, malformed);
      expect(bad.status).toBe(400);
      expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'incidentKey' })]);
    }

    // The corrected profiles are deployed; the retry runs the acceptance again and the procedure goes on.
    Object.assign(live, shipped);
    const retried = await retry(supervisor, incident!.incidentKey);
    expect(retried.status).toBe(202);
    expect(retried.body).toEqual({ incidentKey: incident!.incidentKey, processInstanceKey: incident!.processInstanceKey, jobKey: incident!.jobKey, retries: 3, resolved: true });
    await s.until('the acceptance', async () => (await s.get(caseworker, `/api/v1/dibao/cases/${caseId}`)).body.status, (status) => status === 'accepted');
    await s.taskOf(caseId, 'Task_investigation', caseworker);
    expect(await incidents(supervisor)).toEqual([]);
    expect(await metrics()).not.toContain(series);

    const again = await retry(supervisor, incident!.incidentKey);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'incident-not-active' });

    const audit = (await s.get(supervisor, `/api/v1/sla/cases/dibao-case/${caseId}/audit`)).body as { action: string; actorId: string; details: Record<string, unknown> }[];
    expect(audit.filter((e) => e.action === 'incident.retried')).toEqual([
      expect.objectContaining({
        actorId: 'supervisor',
        details: expect.objectContaining({
          incidentKey: incident!.incidentKey,
          processInstanceKey: incident!.processInstanceKey,
          elementId: 'Task_record_acceptance',
          errorType: 'JOB_NO_RETRIES',
          jobKey: incident!.jobKey,
        }),
      }),
    ]);
  });
});

describe('incidents: engine unreachable', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    // No engine: the test config points at a port nothing listens on.
    testApp = await startTestApp();
  });

  afterAll(async () => {
    await testApp?.close();
  });

  it('still answers /metrics, without incidents and saying they were not read', async () => {
    const started = Date.now();
    const response = await request(testApp.app.getHttpServer()).get('/metrics').expect(200);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(response.text).toContain('doudi_incidents_read_ok 0');
    expect(response.text).not.toMatch(/^doudi_incidents_active\{/m);
    expect(response.text).toContain('doudi_outbox_backlog{kind="start-process"} 0');
  });

  it('answers 503 problem+json for the list and for a retry', async () => {
    const token = await testApp.token([Role.Supervisor], '410821');
    const http = () => request(testApp.app.getHttpServer());
    for (const call of [http().get('/api/v1/sla/incidents'), http().post('/api/v1/sla/incidents/2251799813685249/retry')]) {
      const response = await call.set('Authorization', `Bearer ${token}`);
      expect(response.status).toBe(503);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({ code: 'engine-unavailable' });
    }
  });
});
