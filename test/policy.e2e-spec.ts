import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { Role } from '../src/auth/roles';
import { idNumberCheckChar } from '../src/common/id-number';
import { startTestApp, type TestApp } from './support/test-app';

/** A valid resident ID number of a region and birth date. */
function idNumber(region: string, birth: string, sequence = '123'): string {
  const first17 = `${region}${birth}${sequence}`;
  return `${first17}${idNumberCheckChar(first17)}`;
}

/** A two-member household: a worker and a severely disabled adult, with an illness expenditure. */
function household(region: string, overrides: Record<string, unknown> = {}) {
  return {
    region,
    date: '2026-11-23',
    area: 'rural',
    members: [
      { id: 'm1', idNumber: idNumber(region.slice(0, 6), '19800101'), age: 46, relation: 'applicant', seriousIllness: false, inSchool: false, employed: true },
      {
        id: 'm2',
        idNumber: idNumber(region.slice(0, 6), '19950101'),
        age: 31,
        relation: 'child',
        disability: { grade: 1, type: 'physical' },
        seriousIllness: false,
        inSchool: false,
        employed: false,
      },
    ],
    incomes: [{ memberId: 'm1', category: 'wages', monthlyFen: 50_000 }],
    expenditures: [{ memberId: 'm2', category: 'illness', monthlyFen: 20_000 }],
    assets: { financialFen: 100_000 },
    ...overrides,
  };
}

describe('policy profiles, calendar and assessment API', () => {
  let testApp: TestApp;
  let app: INestApplication;

  beforeAll(async () => {
    testApp = await startTestApp();
    app = testApp.app;
  });

  afterAll(async () => {
    await testApp?.close();
  });

  const get = async (path: string, roles: Role[] = [Role.TownshipCaseworker], region = '410821') =>
    request(app.getHttpServer()).get(path).set('Authorization', `Bearer ${await testApp.token(roles, region)}`);
  const assessAs = async (body: unknown, region = '410821', roles: Role[] = [Role.TownshipCaseworker]) =>
    request(app.getHttpServer()).post('/api/v1/assessments').set('Authorization', `Bearer ${await testApp.token(roles, region)}`).send(body as object);

  describe('profiles', () => {
    it('lists the national baseline and the four seed jurisdictions', async () => {
      const response = await get('/api/v1/policy-profiles');
      expect(response.status).toBe(200);
      expect(response.body.map((p: { id: string }) => p.id).sort()).toEqual(['gannan', 'jiaozuo', 'national', 'tongren', 'yunnan']);
      const jiaozuo = response.body.find((p: { id: string }) => p.id === 'jiaozuo');
      expect(jiaozuo).toMatchObject({ extends: 'national', regions: expect.arrayContaining(['410821']) });
      expect(jiaozuo.versions[0]).toMatchObject({ id: expect.any(String), effectiveFrom: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
    });

    it('resolves the version in force for a township, marking what it inherits from the baseline', async () => {
      const response = await get('/api/v1/policy-profiles/in-force?region=410821100&date=2026-11-23');
      expect(response.status).toBe(200);
      expect(response.body.profileId).toBe('jiaozuo');
      expect(response.body.parameters.sampling).toMatchObject({
        value: { ratioPercent: 30, relativesRatioPercent: 60 },
        inherited: false,
        source: { document: '004_ab48a1bc071c0f38.txt' },
      });
      expect(response.body.parameters.noticeDays).toMatchObject({ inherited: true });
    });

    it('answers 404 for an unknown profile and 400 for a malformed region', async () => {
      expect((await get('/api/v1/policy-profiles/atlantis')).status).toBe(404);
      const response = await get('/api/v1/policy-profiles/in-force?region=4108');
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([{ field: 'region', message: 'region must be a 6-, 9- or 12-digit region code' }]);
    });
  });

  describe('calendar', () => {
    it('counts working days across the 2026 Spring Festival, make-up Saturdays included', async () => {
      // 2026-02-15..23 holiday; 02-14 and 02-28 (Saturdays) are working days: 13, 14, 24, 25, 26, 27, 28.
      const response = await get('/api/v1/calendar/working-days?from=2026-02-12&to=2026-02-28');
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ from: '2026-02-12', to: '2026-02-28', workingDays: 7, calendar: { calendar: 'official:2026-shipped', years: [{ year: 2026, basis: 'official:2026-shipped' }] } });
      const after = await get('/api/v1/calendar/working-days/after?date=2026-09-29&days=3');
      expect(after.status).toBe(200);
      expect(after.body.result).toBe('2026-10-09');
    });

    it('refuses a date before the statutory calendar without a notice instead of guessing', async () => {
      const response = await get('/api/v1/calendar/working-days/after?date=2024-12-30&days=1');
      expect(response.status).toBe(422);
      expect(response.body.code).toBe('outside-calendar');
    });

    it('counts a year without its notice on the statutory calendar, and says so', async () => {
      const response = await get('/api/v1/calendar/working-days/after?date=2026-12-31&days=1');
      expect(response.status).toBe(200);
      // 2027-01-01 is 元旦 by statute; no make-up days are known yet.
      expect(response.body).toMatchObject({ result: '2027-01-04', calendar: { calendar: 'statutory', years: [{ year: 2026, basis: 'official:2026-shipped' }, { year: 2027, basis: 'statutory' }] } });
    });
  });

  describe('assessment', () => {
    it.each([
      ['gannan', '623021100'],
      ['jiaozuo', '410821100'],
      ['tongren', '632321100'],
      ['yunnan', '530102100'],
      ['national', '110105001'],
    ])('assesses a household under the %s profile with every step cited', async (profileId, region) => {
      const response = await assessAs(household(region), region.slice(0, 6));
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ profileId, versionId: expect.any(String), householdSize: 2 });
      expect(['eligible', 'single-person', 'marginal', 'not-eligible']).toContain(response.body.outcome);
      expect(Number.isInteger(response.body.benefitFen) && response.body.benefitFen >= 0).toBe(true);
      expect(response.body.steps.length).toBeGreaterThan(2);
      expect(response.body.steps.filter((s: { source?: unknown }) => s.source).length).toBeGreaterThan(0);
      // A dry run stores nothing and never echoes ID numbers.
      expect(JSON.stringify(response.body)).not.toContain(household(region).members[0]!.idNumber);
    });

    it('pays the gap: 2 members, 500 yuan of wages', async () => {
      const response = await assessAs(household('410821100', { expenditures: [] }));
      const body = response.body;
      expect(body.outcome).toBe('eligible');
      expect(body.benefitFen).toBe(body.standardFen * 2 - body.countableIncomeFen);
    });

    it.each([
      ['a negative income', { incomes: [{ memberId: 'm1', category: 'wages', monthlyFen: -1 }] }, 'incomes[0].monthlyFen', 'monthlyFen must not be negative'],
      ['an unknown disability grade', { members: [{ ...household('410821100').members[1], disability: { grade: 5, type: 'physical' } }] }, 'members[0].disability.grade', 'grade must be one of 1, 2, 3, 4'],
      ['no members', { members: [], incomes: [], expenditures: [] }, 'members', 'members must list at least one member'],
      [
        'a bad ID number check digit',
        { members: [{ ...household('410821100').members[0], idNumber: '410821198001011230' }] },
        'members[0].idNumber',
        'idNumber must be a valid 18-character resident ID number (GB 11643: birth date and check character)',
      ],
      ['an income of an unknown member', { incomes: [{ memberId: 'm9', category: 'wages', monthlyFen: 1 }] }, 'incomes[0].memberId', 'no member with id "m9"'],
    ])('answers 400 naming the field for %s', async (_, overrides, field, message) => {
      const body = household('410821100', overrides);
      if (field === 'members[0].idNumber') body.members[0]!.idNumber = (overrides as { members: { idNumber: string }[] }).members[0]!.idNumber;
      const response = await assessAs(body);
      expect(response.status).toBe(400);
      expect(response.body.errors).toContainEqual({ field, message });
      expect(JSON.stringify(response.body)).not.toContain('410821198001011230');
    });

    it('refuses a household of a region outside the caller’s', async () => {
      await assessAs(household('410821100'), '632321').then((r) => expect(r.status).toBe(403));
    });
  });
});

describe('policy and assessment in the OpenAPI document', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp();
  });

  afterAll(async () => {
    await testApp?.close();
  });

  it('documents the routes, and its assessment example is a valid request', async () => {
    const server = testApp.app.getHttpServer();
    const { body } = await request(server).get('/api/docs/openapi.json').expect(200);
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/assessments',
        '/api/v1/policy-profiles',
        '/api/v1/policy-profiles/in-force',
        '/api/v1/policy-profiles/{id}',
        '/api/v1/calendar/working-days',
        '/api/v1/calendar/working-days/after',
      ]),
    );
    const example = body.paths['/api/v1/assessments'].post.requestBody.content['application/json'].example;
    const token = await testApp.token([Role.TownshipCaseworker], '410821');
    const response = await request(server).post('/api/v1/assessments').set('Authorization', `Bearer ${token}`).send(example);
    expect(response.status).toBe(200);
    expect(response.body.profileId).toBe('jiaozuo');
  });
});
