import request from 'supertest';
import { Role } from '../src/auth/roles';
import { DemoSeeder } from '../src/demo/demo.seeder';
import { Scenario } from './support/scenario';

/** `npm start` seeds a demo county with cases at different steps of the real procedure, once per database. */
describe('demo data', () => {
  let s: Scenario;

  beforeAll(async () => {
    // Today, whatever it is: the demo must walk its cases on the real date (statutory calendar for a year without notice).
    s = await Scenario.start(new Date());
  });

  afterAll(async () => {
    await s?.close();
  });

  it('walks four dibao cases to different steps, opens a reserve fund and a temporary-aid request, and seeds nothing the second time', async () => {
    const seeder = s.app.get(DemoSeeder);
    const created = await seeder.seed();
    expect(created).toHaveLength(5);
    const token = await s.token({ roles: [Role.CountyCivilAffairs], region: '410821' });
    const cases = await s.until(
      'the demo cases to reach their steps',
      async () => (await request(s.app.getHttpServer()).get('/api/v1/dibao/cases').set('Authorization', `Bearer ${token}`)).body.items as { status: string }[],
      (list) => list.filter((c) => c.status === 'accepted').length === 2 && list.some((c) => c.status === 'awaiting-materials'),
    );
    expect(cases.map((c) => c.status).sort()).toEqual(['accepted', 'accepted', 'applied', 'awaiting-materials']);
    const aid = (await request(s.app.getHttpServer()).get('/api/v1/temporary-aid/requests').set('Authorization', `Bearer ${token}`)).body;
    expect(aid.map((r: { status: string }) => r.status)).toEqual(['requested']);
    const fund = (await request(s.app.getHttpServer()).get('/api/v1/reserve-funds/410821100').set('Authorization', `Bearer ${token}`)).body;
    expect(fund.balanceFen).toBe(500_000);
    // Every open task of the demo says which family and which case it is about (issue 18).
    const supervisor = await s.token({ roles: [Role.Supervisor], region: '410821' });
    // Task_accept, two Task_investigation (their workers may still be finishing) and the aid's Task_reply.
    const tasks = await s.until(
      'the demo tasks',
      async () => (await request(s.app.getHttpServer()).get('/api/v1/tasks').set('Authorization', `Bearer ${supervisor}`)).body.items as { context: { applicantName: string; caseNumber: string; villageName: string | null } | null }[],
      (items) => items.length >= 4,
    );
    expect(tasks.every((t) => t.context !== null && t.context.applicantName.length > 0 && t.context.caseNumber.length > 0 && !!t.context.villageName)).toBe(true);
    expect(await seeder.seed()).toEqual([]);
  });
});
