import { DataSource } from 'typeorm';
import { Role } from '../src/auth/roles';
import { type Actor, idNumber, Scenario } from './support/scenario';

/** The relatives registry (近亲属备案, seed 004): all-or-nothing import, and a match at acceptance makes a relatives' case. */
describe('relatives registry', () => {
  const VILLAGE = '410821100201';
  const county: Actor = { roles: [Role.CountyCivilAffairs], region: '410821', id: 'county' };
  const integrator: Actor = { roles: [Role.Integrator], region: '410821', id: 'portal' };
  const caseworker: Actor = { roles: [Role.TownshipCaseworker], region: '410821100', id: 'caseworker' };
  const relative = idNumber(VILLAGE, '19900909', '555');
  const header = 'staff_name,staff_id_number,post,region_code,relative_name,relative_id_number,relation,valid_from,valid_to';
  const good = `王经办,${idNumber(VILLAGE, '19850101', '111')},township-caseworker,410821100,王弟弟,${relative},sibling,2026-01-01,`;
  let s: Scenario;

  beforeAll(async () => {
    s = await Scenario.start(new Date('2026-09-14T01:00:00Z'));
  });

  afterAll(async () => {
    await s?.close();
  });

  it('imports nothing from a file with bad rows, and names every bad row', async () => {
    const csv = [header, good, `李村干,${idNumber(VILLAGE, '19700101', '222')},village-cadre,410821100201,李某,410821199009095550,cousin,2026-01-01,`, `,bad,boss,4108,,,,2026-13-01,`].join('\n');
    const response = await s.post(county, '/api/v1/relatives-registry/import', { csv });
    expect(response.status).toBe(400);
    const fields = response.body.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['csv[row 2].relative_id_number', 'csv[row 2].relation', 'csv[row 3].staff_name', 'csv[row 3].post', 'csv[row 3].region_code', 'csv[row 3].valid_from']));
    expect(fields.filter((f: string) => f.startsWith('csv[row 1]'))).toEqual([]);
    expect(JSON.stringify(response.body)).not.toContain('410821199009095550');
    expect((await s.get(county, '/api/v1/relatives-registry')).body).toEqual([]);
  });

  it('imports nothing from a file naming a region that does not exist (the region registry)', async () => {
    const unknownVillage = `王村干,${idNumber(VILLAGE, '19700101', '333')},village-cadre,410821999999,王某,${idNumber(VILLAGE, '19900101', '334')},sibling,2026-01-01,`;
    const response = await s.post(county, '/api/v1/relatives-registry/import', { csv: [header, good, unknownVillage].join('\n') });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([{ field: 'csv[row 2].region_code', message: 'unknown region code 410821999999' }]);
    expect((await s.get(county, '/api/v1/relatives-registry')).body).toEqual([]);
    const one = await s.post(county, '/api/v1/relatives-registry', { staffName: '王村干', staffIdNumber: idNumber(VILLAGE, '19700101', '333'), post: 'village-cadre', regionCode: '410821999999', relativeName: '王某', relativeIdNumber: idNumber(VILLAGE, '19900101', '334'), relation: 'sibling', validFrom: '2026-01-01' });
    expect(one.status).toBe(400);
    expect(one.body.errors).toEqual([{ field: 'regionCode', message: 'unknown region code 410821999999' }]);
  });

  it('flags a case at acceptance when a member is a registered relative; it then goes to the joint meeting', async () => {
    expect((await s.post(county, '/api/v1/relatives-registry/import', { csv: [header, good].join('\n') })).body.imported).toBe(1);
    const listed = (await s.get(county, '/api/v1/relatives-registry')).body;
    expect(listed).toEqual([expect.objectContaining({ relativeName: '王弟弟', relativeIdNumber: maskedLike(relative), post: 'township-caseworker' })]);
    const application = Scenario.application(VILLAGE, '王弟弟', '19900909');
    (application.members as { idNumber: string }[])[0]!.idNumber = relative;
    const caseId = await s.apply(integrator, application);
    const complete = (elementId: string, variables: Record<string, unknown>) => s.completeTask(caseId, elementId, caseworker, variables);
    await complete('Task_accept', { materialsComplete: true });
    const c = await s.until('acceptance', async () => (await s.get(caseworker, `/api/v1/dibao/cases/${caseId}`)).body, (x) => x.status === 'accepted');
    expect(c.relativesCase).toBe(true);
    const matches = await s.app.get(DataSource).query(`SELECT member_id FROM dibao_relatives_match WHERE case_id = $1`, [caseId]);
    expect(matches).toEqual([{ member_id: 'm1' }]);
    await complete('Task_investigation', { householdConfirmed: true, investigators: '甲、乙', investigationSummary: '核实' });
    await complete('Task_proposal', { proposal: 'approve', proposalReasons: '符合条件' });
    const leader: Actor = { roles: [Role.TownshipLeader], region: '410821100', id: 'leader' };
    const { processInstanceKey } = (await s.get(caseworker, `/api/v1/dibao/cases/${caseId}`)).body;
    const next = await s.until('the decision task', async () => (await s.get(leader, `/api/v1/tasks?processInstanceKey=${processInstanceKey}`)).body.items[0], (t) => t !== undefined);
    expect(next.elementId).toBe('Task_joint_meeting');
  });

  it('registers one entry as JSON, names every bad field, and ends an entry instead of editing it — both audited', async () => {
    const entry = {
      staffName: '赵村干',
      staffIdNumber: idNumber(VILLAGE, '19750505', '333'),
      post: 'village-cadre',
      regionCode: VILLAGE,
      relativeName: '赵女',
      relativeIdNumber: idNumber(VILLAGE, '20000505', '444'),
      relation: 'child',
      validFrom: '2026-01-01',
    };
    const bad = await s.post(county, '/api/v1/relatives-registry', { ...entry, relativeIdNumber: '410821200005054440', relation: 'friend', validTo: '2025-01-01' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['relation', 'relativeIdNumber', 'validTo']);
    expect(JSON.stringify(bad.body)).not.toContain('410821200005054440');
    const outside = await s.post(county, '/api/v1/relatives-registry', { ...entry, regionCode: '410822001001' }); // 博爱县's 八街居委会: real, outside the caller's county
    expect(outside.status).toBe(400);
    expect(outside.body.errors.map((e: { field: string }) => e.field)).toEqual(['regionCode']);

    const created = await s.post(county, '/api/v1/relatives-registry', entry);
    expect(created.status).toBe(201);
    const listed = (await s.get(county, '/api/v1/relatives-registry')).body.find((e: { id: string }) => e.id === created.body.id);
    expect(listed).toMatchObject({ relativeName: '赵女', relation: 'child', validTo: null, relativeIdNumber: maskedLike(entry.relativeIdNumber) });

    expect((await s.post(county, `/api/v1/relatives-registry/${created.body.id}/end`, { validTo: '2025-12-31' })).status).toBe(404);
    expect((await s.post(county, `/api/v1/relatives-registry/${created.body.id}/end`, { validTo: '2026-06-30' })).status).toBe(204);
    const ended = (await s.get(county, '/api/v1/relatives-registry')).body.find((e: { id: string }) => e.id === created.body.id);
    expect(ended.validTo).toBe('2026-06-30');
    const audited = await s.app.get(DataSource).query(`SELECT action FROM audit_event WHERE subject_id = $1 ORDER BY id`, [created.body.id]);
    expect(audited.map((a: { action: string }) => a.action)).toEqual(['relatives-registry.created', 'relatives-registry.ended']);
  });
});

function maskedLike(id: string): string {
  return `${id.slice(0, 6)}********${id.slice(-4)}`;
}
