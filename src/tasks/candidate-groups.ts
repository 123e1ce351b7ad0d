import type { Principal } from '../auth/principal';
import { isRegionCode, regionCovers, regionPrefix } from '../auth/region';
import { Role } from '../auth/roles';

/**
 * Candidate groups are region-qualified: `<role>@<region code>` — `township-caseworker@410821100` is the caseworkers
 * of 城关镇, `county-civil-affairs@410821` the civil-affairs office of 修武县. The models compute them from the case's
 * `regionCode` by FEEL (`substring(regionCode, 1, 9)` the township, `substring(regionCode, 1, 6)` the county), so a
 * Camunda Tasklist that honours candidate groups and our own task API scope a task the same way.
 *
 * A principal (token: roles + region) holds `<role>:<code>` when it has that role and its region covers the code —
 * a county's token covers its townships and villages. This is the one rule; the task list's SQL (`heldGroupsSql`)
 * says the same in PostgreSQL.
 *
 * A flat group (`township-caseworker`, as the models had it before; instances started then still carry it) is held by
 * the role alone: the task API scopes those tasks by their instance's `regionCode` as before.
 */

/**
 * Between role and region: `@`, because Camunda 8.8 takes group IDs matching `^[a-zA-Z0-9_~@.+-]+$` only
 * (SecurityConfiguration's default ID pattern), and Tasklist matches candidate groups to group IDs as they are.
 */
export const GROUP_SEPARATOR = '@';

/** The level each working role works at: the length of the region code of its groups. */
export const GROUP_LEVEL: Record<string, 12 | 9 | 6> = {
  [Role.VillageCommittee]: 12,
  [Role.TownshipCaseworker]: 9,
  [Role.TownshipLeader]: 9,
  [Role.CountyCivilAffairs]: 6,
  [Role.CountyFinance]: 6,
};

export interface CandidateGroup {
  role: string;
  /** The region the group works for; null for a flat (legacy) group. */
  regionCode: string | null;
}

/** `township-caseworker@410821100` → role and region; `township-caseworker` → role, no region. */
export function parseGroup(group: string): CandidateGroup {
  const at = group.indexOf(GROUP_SEPARATOR);
  if (at < 0) return { role: group, regionCode: null };
  return { role: group.slice(0, at), regionCode: group.slice(at + 1) };
}

/** The group of `role` for the case region `regionCode`, cut to the role's level (what the models' FEEL computes). */
export function groupFor(role: Role, regionCode: string): string {
  const level = GROUP_LEVEL[role];
  return `${role}${GROUP_SEPARATOR}${level ? regionCode.slice(0, level) : regionCode}`;
}

/** The principal has the group's role, and its region covers the group's region (any region for a flat group). */
export function holdsGroup(principal: Principal, group: string): boolean {
  const { role, regionCode } = parseGroup(group);
  if (!(principal.roles as string[]).includes(role)) return false;
  if (regionCode === null) return true;
  return isRegionCode(regionCode) && regionCovers(principal.regionCode, regionCode);
}

/** Which of `groups` the principal holds. */
export function heldGroups(principal: Principal, groups: readonly string[] | undefined): string[] {
  return (groups ?? []).filter((group) => holdsGroup(principal, group));
}

/** The principal holds one of the task's candidate groups. */
export function holdsAnyGroup(principal: Principal, groups: readonly string[] | undefined): boolean {
  return heldGroups(principal, groups).length > 0;
}

/**
 * `holdsAnyGroup` over `task_index.candidate_groups` as SQL: one group whose role is one of the principal's and whose
 * region starts with the principal's region prefix (or has none). `param` binds a value and answers its placeholder.
 */
export function heldGroupsSql(principal: Principal, param: (value: unknown) => string): string {
  const roles = param(principal.roles);
  const prefix = param(regionPrefix(principal.regionCode));
  return `EXISTS (SELECT 1 FROM unnest(candidate_groups) g WHERE split_part(g, '${GROUP_SEPARATOR}', 1) = ANY(${roles}::text[]) AND (strpos(g, '${GROUP_SEPARATOR}') = 0 OR split_part(g, '${GROUP_SEPARATOR}', 2) LIKE ${prefix} || '%'))`;
}
