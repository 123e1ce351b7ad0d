import { Role } from '../auth/roles';
import type { DivisionRow } from '../regions/dataset';

/**
 * What a Camunda 8.8 cluster with authorizations on needs before caseworkers and the service can use it (issue 20):
 * one group per working role and region (the models' region-qualified candidate groups), the users of the demo with
 * their group, and authorizations — for each group, the user tasks of the procedures its role works, in Tasklist;
 * for the service's own user, only what the service calls. A pure plan, applied idempotently by
 * scripts/provision-camunda.ts through the Camunda API.
 */

export type OwnerType = 'USER' | 'GROUP';

export interface PlannedAuthorization {
  ownerId: string;
  ownerType: OwnerType;
  resourceType: 'RESOURCE' | 'PROCESS_DEFINITION' | 'MESSAGE' | 'COMPONENT';
  resourceId: string;
  permissionTypes: string[];
}

export interface ProvisioningPlan {
  groups: { groupId: string; name: string }[];
  users: { username: string; name: string }[];
  memberships: { groupId: string; username: string }[];
  authorizations: PlannedAuthorization[];
}

/**
 * The procedures (BPMN process ids) whose user tasks each working role does, read from the models: a role is named in
 * the candidate groups of a user task (flat, or in the FEEL expression that qualifies it by region).
 */
export function proceduresOfModels(models: { xml: string }[]): Record<string, string[]> {
  const found: Record<string, Set<string>> = {};
  for (const { xml } of models) {
    const processId = /<bpmn:process id="([^"]+)"/.exec(xml)?.[1];
    if (!processId) continue;
    for (const [, groups] of xml.matchAll(/candidateGroups="([^"]*)"/g)) {
      for (const role of Object.keys(LEVEL_OF)) if (groups!.includes(role)) (found[role] ??= new Set()).add(processId);
    }
  }
  return Object.fromEntries(Object.entries(found).map(([role, ids]) => [role, [...ids].sort()]));
}

/** Which level of region each working role's groups are for. */
const LEVEL_OF: Record<string, DivisionRow['level']> = {
  [Role.VillageCommittee]: 'village',
  [Role.TownshipCaseworker]: 'township',
  [Role.TownshipLeader]: 'township',
  [Role.CountyCivilAffairs]: 'county',
  [Role.CountyFinance]: 'county',
};

const ROLE_NAMES: Record<string, string> = {
  [Role.VillageCommittee]: '村（居）委会',
  [Role.TownshipCaseworker]: '社会救助经办人',
  [Role.TownshipLeader]: '分管领导',
  [Role.CountyCivilAffairs]: '民政局',
  [Role.CountyFinance]: '财政局',
};

/** The service's own Camunda user: deploys, starts and follows instances, works jobs, reads and completes user tasks. */
export const SERVICE_USER = 'doudi-service';

const SERVICE_AUTHORIZATIONS: Omit<PlannedAuthorization, 'ownerId' | 'ownerType'>[] = [
  { resourceType: 'RESOURCE', resourceId: '*', permissionTypes: ['CREATE', 'READ'] },
  {
    resourceType: 'PROCESS_DEFINITION',
    resourceId: '*',
    permissionTypes: ['CREATE_PROCESS_INSTANCE', 'READ_PROCESS_DEFINITION', 'READ_PROCESS_INSTANCE', 'UPDATE_PROCESS_INSTANCE', 'CANCEL_PROCESS_INSTANCE', 'READ_USER_TASK', 'UPDATE_USER_TASK'],
  },
  { resourceType: 'MESSAGE', resourceId: '*', permissionTypes: ['CREATE'] },
];

export interface PlanInput {
  /** The county's divisions: itself, its townships, its villages (from the region registry's dataset). */
  divisions: DivisionRow[];
  /** The people to create, with their role and region (the demo users). */
  people: { username: string; role: Role; region: string; name: string }[];
  /** The candidate group of a role for a region: the one rule the models and the task API share. */
  groupOf: (role: Role, region: string) => string;
  /** proceduresOfModels of bpmn/. */
  procedures: Record<string, string[]>;
}

export function provisioningPlan({ divisions, people, groupOf, procedures }: PlanInput): ProvisioningPlan {
  const groups: ProvisioningPlan['groups'] = [];
  const authorizations: PlannedAuthorization[] = SERVICE_AUTHORIZATIONS.map((a) => ({ ...a, ownerId: SERVICE_USER, ownerType: 'USER' as const }));
  for (const role of Object.keys(LEVEL_OF) as Role[]) {
    for (const division of divisions.filter((d) => d.level === LEVEL_OF[role])) {
      const groupId = groupOf(role, division.code);
      groups.push({ groupId, name: `${division.name} ${ROLE_NAMES[role]}` });
      authorizations.push({ ownerId: groupId, ownerType: 'GROUP', resourceType: 'COMPONENT', resourceId: 'tasklist', permissionTypes: ['ACCESS'] });
      for (const procedure of procedures[role] ?? []) {
        authorizations.push({ ownerId: groupId, ownerType: 'GROUP', resourceType: 'PROCESS_DEFINITION', resourceId: procedure, permissionTypes: ['READ_PROCESS_DEFINITION', 'READ_USER_TASK', 'UPDATE_USER_TASK'] });
      }
    }
  }
  const known = new Set(groups.map((g) => g.groupId));
  const working = people.filter((p) => LEVEL_OF[p.role]);
  const memberships = working.map((p) => ({ groupId: groupOf(p.role, p.region), username: p.username }));
  const unknown = memberships.filter((m) => !known.has(m.groupId));
  if (unknown.length > 0) throw new Error(`no group for ${unknown.map((m) => `${m.username} (${m.groupId})`).join(', ')}: their region is not among the divisions`);
  return {
    groups,
    users: [{ username: SERVICE_USER, name: 'Doudi service' }, ...working.map((p) => ({ username: p.username, name: p.name }))],
    memberships,
    authorizations,
  };
}
