import request from 'supertest';
import { Role } from '../src/auth/roles';
import { readResources } from '../src/workflow/bpmn-resources';
import { WorkflowService } from '../src/workflow/workflow.service';
import { startTestApp, type TestApp } from './support/test-app';

/** The service as `npm start` runs it: embedded PostgreSQL's database shared with the embedded engine. */
describe('service on the embedded engine', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp({}, { withEngine: true });
  });

  afterAll(async () => {
    await testApp?.close();
  });

  it('deploys every model and form in bpmn/ and starts its workers', async () => {
    const versions = await testApp.app.get(WorkflowService).ready;
    const processIds = readResources('bpmn')
      .filter((r) => r.name.endsWith('.bpmn'))
      .map((r) => /<bpmn:process id="([^"]+)"/.exec(r.content)![1]);
    expect(versions.filter((v) => v.kind === 'process').map((v) => v.id).sort()).toEqual(processIds.sort());
  });

  it('reports the engine up on /health', async () => {
    const response = await request(testApp.app.getHttpServer()).get('/health').expect(200);
    expect(response.body.details.engine).toMatchObject({ status: 'up', address: testApp.engine!.url, gatewayVersion: '8.8.0' });
  });

  it('runs the health-check process through the engine and a worker', async () => {
    await testApp.app.get(WorkflowService).ready;
    const token = await testApp.token([Role.Supervisor], '320102');
    const response = await request(testApp.app.getHttpServer())
      .post('/api/v1/health-checks')
      .set('Authorization', `Bearer ${token}`)
      .send({ reason: 'after deployment' })
      .expect(200);
    expect(response.body.processInstanceKey).toMatch(/^\d+$/);
    expect(new Date(response.body.pongAt).getTime()).not.toBeNaN();
  });
});
