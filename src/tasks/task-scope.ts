import type { Principal } from '../auth/principal';
import { regionCovers } from '../auth/region';
import { Role } from '../auth/roles';
import type { ScopedProcessVariables } from '../workflow/scoped-variables';
import { holdsAnyGroup } from './candidate-groups';

/**
 * Who sees and who works a user task. Every procedure's instance carries the variables of ScopedProcessVariables;
 * a task is within a caller's reach when its instance's `regionCode` lies in the caller's region, and it is theirs
 * when they hold one of its candidate groups (role and region, candidate-groups.ts) or it is assigned to them. Supervisors read every task of
 * their region and work none. An instance without a `regionCode` is nobody's: it fails closed.
 */

/** The process variables the task API reads to scope a task. */
export const SCOPE_VARIABLES = ['regionCode', 'subjectType', 'subjectId'] as const satisfies readonly (keyof ScopedProcessVariables)[];

export interface CaseScope {
  regionCode: string;
  subjectType: string | null;
  subjectId: string | null;
}

export interface ScopedTask {
  candidateGroups?: string[];
  assignee?: string;
}

export interface VariableRow {
  processInstanceKey?: string;
  scopeKey?: string;
  name: string;
  value: string;
}

/** The case scope of each process instance, from a variable search (values are JSON); instance-level variables only. */
export function scopesFrom(rows: VariableRow[]): Map<string, CaseScope> {
  const found = new Map<string, Partial<Record<string, unknown>>>();
  for (const row of rows) {
    if (!row.processInstanceKey || String(row.scopeKey) !== String(row.processInstanceKey)) continue;
    const key = String(row.processInstanceKey);
    found.set(key, { ...found.get(key), [row.name]: parseJson(row.value) });
  }
  const scopes = new Map<string, CaseScope>();
  for (const [key, values] of found) {
    if (typeof values.regionCode !== 'string' || values.regionCode === '') continue;
    scopes.set(key, { regionCode: values.regionCode, subjectType: text(values.subjectType), subjectId: text(values.subjectId) });
  }
  return scopes;
}

/** The caller holds one of the task's candidate groups, or the task is assigned to the caller. */
export function canWork(principal: Principal, task: ScopedTask): boolean {
  return task.assignee === principal.id || holdsAnyGroup(principal, task.candidateGroups);
}

/** Within the caller's region, and theirs to work or the caller is a supervisor. */
export function canSee(principal: Principal, task: ScopedTask, scope: CaseScope | undefined): boolean {
  if (!scope || !regionCovers(principal.regionCode, scope.regionCode)) return false;
  return principal.roles.includes(Role.Supervisor) || canWork(principal, task);
}

/** A variable's JSON value; a value that is not JSON (truncated) as its raw text. */
export function parseJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}
