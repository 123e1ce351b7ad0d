import request from 'supertest';
import { DataSource } from 'typeorm';
import { Role } from '../src/auth/roles';
import { dbSnapshot, snapshotChanges } from './support/db-snapshot';
import { type Actor, idNumber, Scenario } from './support/scenario';

/**
 * Issue 17, one request-validation layer: each hostile input found by fuzzing answers 400 problem+json naming the
 * field, and changes nothing (no row, no sequence number).
 */
describe('request validation', () => {
  const VILLAGE = '410821100201';
  const integrator: Actor = { roles: [Role.Integrator], region: '410821', id: 'portal' };
  const county: Actor = { roles: [Role.CountyCivilAffairs], region: '410821', id: 'county' };
  const caseworker: Actor = { roles: [Role.TownshipCaseworker], region: '410821100', id: 'caseworker' };
  const supervisor: Actor = { roles: [Role.Supervisor], region: '410821', id: 'supervisor' };
  const registryHeader = 'staff_name,staff_id_number,post,region_code,relative_name,relative_id_number,relation,valid_from,valid_to';
  const registryEntry = {
    staffName: '王经办',
    staffIdNumber: idNumber(VILLAGE, '19850101', '111'),
    post: 'township-caseworker',
    regionCode: '410821100',
    relativeName: '王弟弟',
    relativeIdNumber: idNumber(VILLAGE, '19900909', '555'),
    relation: 'sibling',
    validFrom: '2026-01-01',
  };
  let s: Scenario;
  let db: DataSource;

  beforeAll(async () => {
    s = await Scenario.start(new Date('2026-09-14T01:00:00Z'));
    db = s.app.get(DataSource);
  });

  afterAll(async () => {
    await s?.close();
  });

  /** Sends the request; expects a 400 naming `fields` and no change to any table or sequence. */
  async function refused(send: () => Promise<request.Response>, fields: string[]): Promise<request.Response> {
    const before = await dbSnapshot(db);
    const response = await send();
    expect({ status: response.status, body: response.body }).toEqual({ status: 400, body: expect.objectContaining({ type: 'https://doudi.example/problems/invalid-request' }) });
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.body.errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(fields));
    expect(snapshotChanges(before, await dbSnapshot(db))).toEqual([]);
    return response;
  }

  const application = (override: (body: Record<string, any>) => void = () => {}) => {
    const body = Scenario.application(VILLAGE, '张三', '19900307') as Record<string, any>;
    override(body);
    return body;
  };

  const raw = async (actor: Actor, path: string, json: string) =>
    request(s.app.getHttpServer()).post(path).set('Authorization', `Bearer ${await s.token(actor)}`).set('Content-Type', 'application/json').send(json);

  describe('JSON depth', () => {
    it('refuses deeply nested arrays and objects with a 400 naming the body', async () => {
      const arrays = `{"members":${'['.repeat(5000)}${']'.repeat(5000)}}`;
      const objects = `{"members":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`;
      for (const json of [arrays, objects, '['.repeat(5000) + ']'.repeat(5000)]) {
        const response = await refused(() => raw(integrator, '/api/v1/dibao/applications', json), ['body']);
        expect(response.body.errors[0].message).toMatch(/nested more than 32 levels/);
      }
    });

    it('accepts a body nested within the limit', async () => {
      const response = await s.post(integrator, '/api/v1/dibao/applications', application());
      expect(response.status).toBe(201);
    });
  });

  describe('control characters', () => {
    it('refuses NUL in a body string, naming the field, before a case number is taken', async () => {
      await refused(() => s.post(integrator, '/api/v1/dibao/applications', application((b) => (b.members[0].id = 'm\u00001'))), ['members[0].id']);
      await refused(() => s.post(integrator, '/api/v1/dibao/applications', application((b) => (b.members[0].name = '张\u0000三'))), ['members[0].name']);
      await refused(() => s.post(county, '/api/v1/reserve-funds/410821100/advances', { amountFen: 100, note: 'a\u0000b' }), ['note']);
    });

    it('refuses other C0 control characters, but lets free text keep tabs and line breaks', async () => {
      await refused(() => s.post(county, '/api/v1/reserve-funds/410821100/advances', { amountFen: 100, note: 'a\u0007b' }), ['note']);
      const ok = await s.post(county, '/api/v1/reserve-funds/410821100/advances', { amountFen: 100, note: '第一行\n第二行\t（备注）\r\n' });
      expect(ok.status).toBe(201);
    });

    it('refuses NUL in a key, a query and a path parameter', async () => {
      await refused(() => s.post(integrator, '/api/v1/dibao/applications', { ...application(), 'x\u0000': 1 }), ['x\\u0000']);
      await refused(() => s.get(integrator, '/api/v1/dibao/cases?status=applied%00'), ['status']);
      await refused(() => s.post(county, '/api/v1/relatives-registry/%00/end', { validTo: '2026-09-01' }), ['id']);
    });

    it('refuses NUL in a CSV cell, naming the row and the column', async () => {
      const csv = `id_number,name,died_on,source\n${idNumber(VILLAGE, '19500101', '123')},张\u0000三,2026-07-03,public-security`;
      await refused(() => s.post(county, '/api/v1/death-records/import', { csv }), ['csv[row 1].name']);
    });
  });

  describe('calendar dates', () => {
    it('refuses a date that does not exist on death records (JSON and CSV)', async () => {
      const person = idNumber(VILLAGE, '19500101', '123');
      await refused(() => s.post(county, '/api/v1/death-records', { idNumber: person, name: '张三', diedOn: '2026-02-30', source: 'public-security' }), ['diedOn']);
      await refused(() => s.post(county, '/api/v1/death-records', { idNumber: person, name: '张三', diedOn: '2026-13-01', source: 'public-security' }), ['diedOn']);
      const csv = `id_number,name,died_on,source\n${person},张三,2026-02-30,public-security`;
      await refused(() => s.post(county, '/api/v1/death-records/import', { csv }), ['csv[row 1].died_on']);
    });

    it('refuses a date that does not exist on the relatives registry (JSON, CSV, ending an entry)', async () => {
      await refused(() => s.post(county, '/api/v1/relatives-registry', { ...registryEntry, validFrom: '2026-02-30' }), ['validFrom']);
      await refused(() => s.post(county, '/api/v1/relatives-registry', { ...registryEntry, validTo: '2026-13-01' }), ['validTo']);
      const row = Object.values({ ...registryEntry, validFrom: '2026-02-30' }).join(',') + ',';
      await refused(() => s.post(county, '/api/v1/relatives-registry/import', { csv: `${registryHeader}\n${row}` }), ['csv[row 1].valid_from']);
      const created = await s.post(county, '/api/v1/relatives-registry', registryEntry);
      expect(created.status).toBe(201);
      await refused(() => s.post(county, `/api/v1/relatives-registry/${created.body.id}/end`, { validTo: '2026-02-30' }), ['validTo']);
    });

    it('answers the calendar 400 with errors[] for a date that does not exist, and for from after to', async () => {
      await refused(() => s.get(supervisor, '/api/v1/calendar/working-days?from=2026-02-30&to=2026-03-10'), ['from']);
      await refused(() => s.get(supervisor, '/api/v1/calendar/working-days/after?date=2026-13-01&days=3'), ['date']);
      await refused(() => s.get(supervisor, '/api/v1/calendar/working-days?from=2026-03-10&to=2026-03-01'), ['from', 'to']);
      expect((await s.get(supervisor, '/api/v1/calendar/working-days?from=2026-03-01&to=2026-03-10')).status).toBe(200);
    });
  });

  describe('path ids and engine keys', () => {
    it('refuses a non-UUID id in a path, naming the parameter', async () => {
      await refused(() => s.post(county, '/api/v1/relatives-registry/abc/end', { validTo: '2026-09-01' }), ['id']);
      await refused(() => s.get(integrator, '/api/v1/dibao/cases/abc'), ['id']);
      await refused(() => s.get(county, '/api/v1/payment-cycles/abc'), ['id']);
      await refused(() => s.get(county, '/api/v1/sampling/batches/abc'), ['id']);
    });

    it('refuses a task key beyond int64 (or zero, or not decimal), naming the parameter', async () => {
      for (const key of ['9223372036854775808', '0', '12a', '-1']) await refused(() => s.post(caseworker, `/api/v1/tasks/${key}/claim`), ['key']);
      await refused(() => s.post(supervisor, '/api/v1/sla/incidents/99999999999999999999/retry'), ['incidentKey']);
      await refused(() => s.get(caseworker, '/api/v1/tasks?processInstanceKey=9223372036854775808'), ['processInstanceKey']);
    });
  });

  it('refuses a sampling period before any policy profile is in force, naming period', async () => {
    await refused(() => s.post(county, '/api/v1/sampling/batches?county=410821&period=1900-01'), ['period']);
    await refused(() => s.post(county, '/api/v1/sampling/batches?county=410821&period=2026-13'), ['period']);
  });

  describe('households and names', () => {
    it('refuses an ID number born after today (the service clock)', async () => {
      await refused(() => s.post(integrator, '/api/v1/dibao/applications', application((b) => ((b.members[0].idNumber = idNumber(VILLAGE, '20261001')), (b.members[0].age = 0)))), ['members[0].idNumber']);
      await refused(() => s.post(integrator, '/api/v1/temporary-aid/requests', { regionCode: VILLAGE, channel: 'self', area: 'rural', applicantName: '马成', applicantIdNumber: idNumber(VILLAGE, '20261001'), householdSize: 1, description: '失火' }), ['applicantIdNumber']);
      await refused(() => s.post(county, '/api/v1/relatives-registry', { ...registryEntry, relativeIdNumber: idNumber(VILLAGE, '20261001') }), ['relativeIdNumber']);
      const csv = `id_number,name,died_on,source\n${idNumber(VILLAGE, '20261001')},张三,2026-09-01,public-security`;
      await refused(() => s.post(county, '/api/v1/death-records/import', { csv }), ['csv[row 1].id_number']);
    });

    it('refuses the same ID number twice in one household', async () => {
      const body = application((b) => b.members.push({ ...b.members[0], id: 'm2', name: '李四', relation: 'spouse' }));
      await refused(() => s.post(integrator, '/api/v1/dibao/applications', body), ['members[1].idNumber']);
    });

    it('refuses an age that contradicts the birth date in the ID number', async () => {
      await refused(() => s.post(integrator, '/api/v1/dibao/applications', application((b) => (b.members[0].age = 70))), ['members[0].age']);
    });

    it('refuses a whitespace-only name or reason, and reports every problem at once', async () => {
      const response = await refused(() => s.post(integrator, '/api/v1/dibao/applications', application((b) => ((b.members[0].name = ' \u3000 '), (b.members[0].age = 70)))), ['members[0].name', 'members[0].age']);
      expect(response.body.errors.length).toBeGreaterThanOrEqual(2);
      await refused(() => s.post(integrator, '/api/v1/temporary-aid/requests', { regionCode: VILLAGE, channel: 'self', area: 'rural', applicantName: '   ', applicantIdNumber: idNumber(VILLAGE, '19800101'), householdSize: 1, description: '\t\n' }), ['applicantName', 'description']);
    });

    it('answers a malformed region code 400, not 403', async () => {
      await refused(() => s.post(integrator, '/api/v1/dibao/applications', application((b) => (b.regionCode = 'abc'))), ['regionCode']);
      await refused(() => s.get(supervisor, '/api/v1/sla/deadlines?region=abc'), ['region']);
    });
  });
});
