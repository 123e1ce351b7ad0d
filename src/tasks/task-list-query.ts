import { DateTime } from 'luxon';
import type { Principal } from '../auth/principal';
import { regionPrefix } from '../auth/region';
import { Role } from '../auth/roles';
import { heldGroupsSql } from './candidate-groups';

export const TASK_VIEWS = ['open', 'mine', 'unclaimed', 'overdue'] as const;
export type TaskView = (typeof TASK_VIEWS)[number];

export type TaskUrgency = 'overdue' | 'due-today' | 'at-risk';

export interface TaskListFilter {
  view: TaskView;
  state: string;
  procedure?: string;
  q?: string;
  processInstanceKey?: string;
  elementId?: string;
  offset: number;
  limit: number;
}

/**
 * The WHERE clause of a task list over `task_index`, and its parameters: what the caller may see (their region; their
 * candidate groups or assignment, all of the region for supervisors), then the view and filters. The region predicate
 * follows the caller's level so that open tasks are read through the partial index of that level (township, county).
 */
export function taskListWhere(filter: TaskListFilter, principal: Principal, now: Date): { where: string; params: unknown[] } {
  const params: unknown[] = [];
  const param = (value: unknown) => `$${params.push(value)}`;
  const conditions = [`state = ${param(filter.state)}`];
  const prefix = regionPrefix(principal.regionCode);
  if (prefix.length === 9) conditions.push(`township_code = ${param(prefix)}`);
  else if (prefix.length === 6) conditions.push(`county_code = ${param(prefix)}`);
  else conditions.push(`region_code LIKE ${param(`${prefix}%`)}`);
  if (!principal.roles.includes(Role.Supervisor)) {
    conditions.push(`(${heldGroupsSql(principal, param)} OR assignee = ${param(principal.id)})`);
  }
  if (filter.view === 'mine') conditions.push(`assignee = ${param(principal.id)}`);
  if (filter.view === 'unclaimed') conditions.push('assignee IS NULL');
  if (filter.view === 'overdue') conditions.push(`due_at < ${param(now)}`);
  if (filter.procedure) conditions.push(`process_definition_id = ${param(filter.procedure)}`);
  if (filter.processInstanceKey) conditions.push(`process_instance_key = ${param(filter.processInstanceKey)}`);
  if (filter.elementId) conditions.push(`element_id = ${param(filter.elementId)}`);
  const q = filter.q?.trim();
  if (q) {
    // A case number from its start (DB410821-2026-…), a name anywhere in it (王建国, 建国).
    const pattern = q.replace(/[\\%_]/g, (c) => `\\${c}`);
    conditions.push(`(case_number ILIKE ${param(`${pattern}%`)} OR applicant_name LIKE ${param(`%${pattern}%`)})`);
  }
  return { where: conditions.join(' AND '), params };
}

/**
 * How pressing an open task is: past its due instant; due today (Asia/Shanghai); at risk once `atRiskShare` of its
 * time has passed, as the SLA views count a deadline at risk (SLA_AT_RISK_PERCENT); otherwise none.
 */
export function urgencyOf(createdAt: Date, dueAt: Date | null, now: Date, atRiskShare: number): TaskUrgency | null {
  if (!dueAt) return null;
  if (dueAt.getTime() <= now.getTime()) return 'overdue';
  const day = (at: Date) => DateTime.fromJSDate(at, { zone: 'Asia/Shanghai' }).toISODate();
  if (day(dueAt) === day(now)) return 'due-today';
  const atRiskFrom = createdAt.getTime() + (dueAt.getTime() - createdAt.getTime()) * atRiskShare;
  return now.getTime() >= atRiskFrom ? 'at-risk' : null;
}
