import { DataSource } from 'typeorm';
import { Role } from '../src/auth/roles';
import { type Actor, idNumber, Scenario } from './support/scenario';

/**
 * The region registry (issue 18): the statistics bureau's divisions with names, a county's own additions through an
 * audited API, and every creating route refusing a well-formed code that names no region (400 naming the field,
 * nothing written).
 */
const integrator: Actor = { roles: [Role.Integrator], region: '410821', id: 'portal' };
const county: Actor = { roles: [Role.CountyCivilAffairs], region: '410821', id: 'county-zhang' };
const otherCounty: Actor = { roles: [Role.CountyCivilAffairs], region: '410822', id: 'boai-li' };
const city: Actor = { roles: [Role.CountyCivilAffairs], region: '410800', id: 'jiaozuo-wang' };

describe('region registry', () => {
  let s: Scenario;
  let db: DataSource;

  beforeAll(async () => {
    s = await Scenario.start(new Date('2026-10-12T01:00:00Z'));
    db = s.app.get(DataSource);
  });

  afterAll(async () => {
    await s?.close();
  });

  const count = async (table: string) => Number((await db.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n);
  const unknown = (response: { status: number; body: { errors?: { field: string; message: string }[] } }, field: string, code: string) => {
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([{ field, message: `unknown region code ${code}` }]);
  };

  it('knows the demo county’s villages and townships by name, with the chain from the province down', async () => {
    const village = await s.get(integrator, '/api/v1/regions/410821100201');
    expect(village.status).toBe(200);
    expect(village.body).toMatchObject({ code: '410821100201', level: 'village', name: '东关村民委员会', label: '东关村民委员会（410821100201）', parentCode: '410821100', source: '2023' });
    expect(village.body.chain.map((r: { name: string }) => r.name)).toEqual(['河南省', '焦作市', '修武县', '城关镇', '东关村民委员会']);
    expect(village.body.chain.map((r: { code: string }) => r.code)).toEqual(['410000', '410800', '410821', '410821100', '410821100201']);

    const townships = await s.get(integrator, '/api/v1/regions?parent=410821');
    expect(townships.status).toBe(200);
    expect(townships.body).toEqual(expect.arrayContaining([expect.objectContaining({ code: '410821100', name: '城关镇', level: 'township' })]));
    // Tongren's villages are loaded (a profile's county); townships of the whole country are.
    expect((await s.get(integrator, '/api/v1/regions/632301100201')).body).toMatchObject({ level: 'village', source: '2023' });
    expect((await s.get(integrator, '/api/v1/regions/110105001')).body).toMatchObject({ name: '建外街道', level: 'township' });

    expect((await s.get(integrator, '/api/v1/regions/410821999999')).status).toBe(404);
    const malformed = await s.get(integrator, '/api/v1/regions/41082');
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors[0].field).toBe('code');
  });

  it('shows a temporary-aid request with its village’s and township’s names', async () => {
    const created = await s.post(integrator, '/api/v1/temporary-aid/requests', {
      regionCode: '410821100201', channel: 'hotline', area: 'rural', applicantName: '马二', applicantIdNumber: idNumber('410821', '19800101', '102'), householdSize: 2, description: '房屋失火',
    });
    expect(created.status).toBe(201);
    expect((await s.get(integrator, `/api/v1/temporary-aid/requests/${created.body.requestId}`)).body).toMatchObject({ regionName: '东关村民委员会', townshipName: '城关镇' });
  });

  it('refuses a dibao application and a temporary-aid request for an unknown village, writing nothing', async () => {
    const [cases, aid, keys] = [await count('dibao_case'), await count('temporary_aid_request'), await count('idempotency_key')];
    unknown(await s.post(integrator, '/api/v1/dibao/applications', Scenario.application('410821999999', '王一', '19600101'), { 'Idempotency-Key': 'unknown-village' }), 'regionCode', '410821999999');
    const request = {
      regionCode: '410821100999',
      channel: 'hotline',
      area: 'rural',
      applicantName: '马一',
      applicantIdNumber: idNumber('410821', '19800101', '101'),
      householdSize: 2,
      description: '房屋失火',
    };
    unknown(await s.post(integrator, '/api/v1/temporary-aid/requests', request, { 'Idempotency-Key': 'unknown-aid' }), 'regionCode', '410821100999');
    expect([await count('dibao_case'), await count('temporary_aid_request'), await count('idempotency_key')]).toEqual([cases, aid, keys]);
  });

  it('refuses a reserve-fund advance to an unknown township and a sampling draw of an unknown county', async () => {
    const entries = await count('reserve_fund_entry');
    unknown(await s.post(county, '/api/v1/reserve-funds/410821199/advances', { amountFen: 10000, note: '备用金' }), 'township', '410821199');
    expect(await count('reserve_fund_entry')).toBe(entries);
    expect((await s.post(county, '/api/v1/reserve-funds/410821100/advances', { amountFen: 10000, note: '备用金' })).status).toBe(201);

    const batches = await count('sampling_batch');
    unknown(await s.post(city, '/api/v1/sampling/batches?county=410899&period=2026-09'), 'county', '410899');
    expect(await count('sampling_batch')).toBe(batches);
  });

  it('lets a county add its new village (audited), which is then shown and accepted in an application', async () => {
    const added = await s.post(county, '/api/v1/regions', { code: '410821100299', name: '  新村村民委员会 ' });
    expect(added.status).toBe(201);
    expect(added.body).toEqual({ code: '410821100299', level: 'village', name: '新村村民委员会', label: '新村村民委员会（410821100299）', parentCode: '410821100', source: 'local' });
    const [audit] = await db.query(`SELECT actor_id, action, region_code, details FROM audit_event WHERE subject_type = 'region' AND subject_id = '410821100299'`);
    expect(audit).toMatchObject({ actor_id: 'county-zhang', action: 'region.added', region_code: '410821100299', details: { level: 'village', name: '新村村民委员会', parentCode: '410821100' } });

    expect((await s.get(integrator, '/api/v1/regions/410821100299')).body.chain.map((r: { name: string }) => r.name)).toEqual(['河南省', '焦作市', '修武县', '城关镇', '新村村民委员会']);
    expect((await s.get(integrator, '/api/v1/regions?parent=410821100')).body.map((r: { code: string }) => r.code)).toContain('410821100299');
    const caseId = await s.apply(integrator, Scenario.application('410821100299', '李新', '19550101'));
    expect((await s.get(integrator, `/api/v1/dibao/cases/${caseId}`)).body).toMatchObject({ regionCode: '410821100299', regionName: '新村村民委员会', townshipName: '城关镇' });

    expect((await s.post(county, '/api/v1/regions', { code: '410821100299', name: '又一村' })).status).toBe(409);
  });

  it('refuses an addition under a foreign county (403), under an unknown township, or without a name (400), writing nothing', async () => {
    const regions = await count('administrative_division');
    const foreign = await s.post(otherCounty, '/api/v1/regions', { code: '410821100298', name: '外县村' });
    expect(foreign.status).toBe(403);
    expect((await s.post({ roles: [Role.TownshipCaseworker], region: '410821100' }, '/api/v1/regions', { code: '410821100298', name: '村' })).status).toBe(403);
    const orphan = await s.post(county, '/api/v1/regions', { code: '410821198001', name: '无乡村' });
    expect(orphan.status).toBe(400);
    expect(orphan.body.errors).toEqual([{ field: 'code', message: 'parent region 410821198 is unknown' }]);
    const blank = await s.post(county, '/api/v1/regions', { code: '410821100298', name: '  ' });
    expect(blank.status).toBe(400);
    expect(blank.body.errors.map((e: { field: string }) => e.field)).toEqual(['name']);
    const shape = await s.post(county, '/api/v1/regions', { code: '4108211002', name: '村' });
    expect(shape.status).toBe(400);
    expect(shape.body.errors.map((e: { field: string }) => e.field)).toEqual(['code']);
    expect(await count('administrative_division')).toBe(regions);
  });
});
