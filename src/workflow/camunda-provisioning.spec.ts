import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Role } from '../auth/roles';
import { groupFor } from '../tasks/candidate-groups';
import { proceduresOfModels, provisioningPlan, SERVICE_USER } from './camunda-provisioning';

const models = readdirSync('bpmn').filter((f) => f.endsWith('.bpmn')).map((f) => ({ xml: readFileSync(join('bpmn', f), 'utf8') }));
const divisions = [
  { code: '410821', level: 'county' as const, parentCode: '410800', name: '修武县' },
  { code: '410821100', level: 'township' as const, parentCode: '410821', name: '城关镇' },
  { code: '410821101', level: 'township' as const, parentCode: '410821', name: '七贤镇' },
  { code: '410821100201', level: 'village' as const, parentCode: '410821100', name: '东关村民委员会' },
];
const groupOf = groupFor;

describe('Camunda provisioning plan', () => {
  const procedures = proceduresOfModels(models);
  const plan = provisioningPlan({
    divisions,
    procedures,
    groupOf,
    people: [
      { username: 'demo-township-caseworker-410821100', role: Role.TownshipCaseworker, region: '410821100', name: '城关镇经办人' },
      { username: 'demo-supervisor-410821', role: Role.Supervisor, region: '410821', name: '督查' },
    ],
  });

  it('reads from the models which procedures each role works', () => {
    expect(procedures[Role.TownshipCaseworker]).toEqual(expect.arrayContaining(['dibao-application', 'temporary-aid']));
    expect(procedures[Role.CountyFinance]).toEqual(['monthly-payment-cycle']);
    expect(procedures[Role.VillageCommittee]).toEqual(['dibao-application']);
  });

  it('makes one group per working role and region, named in Chinese, each seeing only its procedures in Tasklist', () => {
    expect(plan.groups).toEqual(expect.arrayContaining([
      { groupId: 'township-caseworker@410821100', name: '城关镇 社会救助经办人' },
      { groupId: 'township-leader@410821101', name: '七贤镇 分管领导' },
      { groupId: 'village-committee@410821100201', name: '东关村民委员会 村（居）委会' },
      { groupId: 'county-finance@410821', name: '修武县 财政局' },
    ]));
    expect(plan.groups).toHaveLength(2 * 2 + 1 + 2);
    const finance = plan.authorizations.filter((a) => a.ownerId === 'county-finance@410821');
    expect(finance.map((a) => `${a.resourceType}/${a.resourceId}`).sort()).toEqual(['COMPONENT/tasklist', 'PROCESS_DEFINITION/monthly-payment-cycle']);
  });

  it("names groups and users as Camunda 8.8 accepts IDs (its default ID pattern), so Tasklist matches the models' candidate groups", () => {
    const CAMUNDA_ID = /^[a-zA-Z0-9_~@.+-]{1,256}$/;
    const ids = [...plan.groups.map((g) => g.groupId), ...plan.users.map((u) => u.username)];
    expect(ids.filter((id) => !CAMUNDA_ID.test(id))).toEqual([]);
  });

  it('puts working people in their group; others (a supervisor) get no Camunda account', () => {
    expect(plan.memberships).toEqual([{ groupId: 'township-caseworker@410821100', username: 'demo-township-caseworker-410821100' }]);
    expect(plan.users.map((u) => u.username)).toEqual([SERVICE_USER, 'demo-township-caseworker-410821100']);
  });

  it('gives the service user what the service calls, and no administration', () => {
    const service = plan.authorizations.filter((a) => a.ownerId === SERVICE_USER);
    expect(service.map((a) => a.resourceType).sort()).toEqual(['MESSAGE', 'PROCESS_DEFINITION', 'RESOURCE']);
    expect(service.flatMap((a) => a.permissionTypes)).not.toContain('DELETE_PROCESS');
  });

  it('refuses a person whose region has no group', () => {
    expect(() => provisioningPlan({ divisions, procedures, groupOf, people: [{ username: 'x', role: Role.TownshipCaseworker, region: '410821199', name: 'x' }] })).toThrow(/410821199/);
  });
});
