import type { Principal } from '../auth/principal';
import { regionCovers } from '../auth/region';
import { Role } from '../auth/roles';
import { parseGroup } from './candidate-groups';

/**
 * Who may hand a task to someone else (reassign a claimed task, or assign an open one): the leader of the level the
 * task belongs to. Township tasks (village committee, township caseworker, township leader) are reassigned by a
 * township leader, county tasks (county civil affairs, county finance) by county civil affairs — each within their
 * region: the group's region (`township-caseworker@410821100`) must lie in the leader's; a flat group (instances of the
 * older models) is left to the caller's check of the instance's region.
 */
export const REASSIGNED_BY: Record<string, Role> = {
  [Role.VillageCommittee]: Role.TownshipLeader,
  [Role.TownshipCaseworker]: Role.TownshipLeader,
  [Role.TownshipLeader]: Role.TownshipLeader,
  [Role.CountyCivilAffairs]: Role.CountyCivilAffairs,
  [Role.CountyFinance]: Role.CountyCivilAffairs,
};

/** One of the task's candidate groups is led by one of the caller's roles, within the caller's region. */
export function mayReassign(principal: Principal, task: { candidateGroups?: string[] }): boolean {
  return (task.candidateGroups ?? []).some((group) => {
    const { role, regionCode } = parseGroup(group);
    const leader = REASSIGNED_BY[role];
    return leader !== undefined && principal.roles.includes(leader) && (regionCode === null || regionCovers(principal.regionCode, regionCode));
  });
}
