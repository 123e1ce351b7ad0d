import type { Principal } from '../auth/principal';
import { Role } from '../auth/roles';

/**
 * Who may hand a task to someone else (reassign a claimed task, or assign an open one): the leader of the level the
 * task belongs to. Township tasks (village committee, township caseworker, township leader) are reassigned by a
 * township leader, county tasks (county civil affairs, county finance) by county civil affairs — each within their
 * region, which the caller checks.
 */
export const REASSIGNED_BY: Record<string, Role> = {
  [Role.VillageCommittee]: Role.TownshipLeader,
  [Role.TownshipCaseworker]: Role.TownshipLeader,
  [Role.TownshipLeader]: Role.TownshipLeader,
  [Role.CountyCivilAffairs]: Role.CountyCivilAffairs,
  [Role.CountyFinance]: Role.CountyCivilAffairs,
};

/** One of the task's candidate groups is led by one of the caller's roles. */
export function mayReassign(principal: Principal, task: { candidateGroups?: string[] }): boolean {
  return (task.candidateGroups ?? []).some((group) => REASSIGNED_BY[group] !== undefined && principal.roles.includes(REASSIGNED_BY[group]!));
}
