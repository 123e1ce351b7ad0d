import type { Principal } from '../auth/principal';
import { Role } from '../auth/roles';
import { canSee, canWork, scopesFrom } from './task-scope';

const caseworker: Principal = { id: 'li', roles: [Role.TownshipCaseworker], regionCode: '410821100' };
const county: Principal = { id: 'zhao', roles: [Role.CountyCivilAffairs], regionCode: '410821' };
const supervisor: Principal = { id: 'qian', roles: [Role.Supervisor], regionCode: '410821' };
const scope = { regionCode: '410821100201', subjectType: 'dibao-case', subjectId: 'c-1' };
const task = { candidateGroups: ['township-caseworker@410821100'] };

describe('task scope', () => {
  it('reads regionCode, subjectType and subjectId of each instance from its own scope, as JSON', () => {
    const scopes = scopesFrom([
      { processInstanceKey: '1', scopeKey: '1', name: 'regionCode', value: '"410821100201"' },
      { processInstanceKey: '1', scopeKey: '1', name: 'subjectType', value: '"dibao-case"' },
      { processInstanceKey: '1', scopeKey: '1', name: 'subjectId', value: '"c-1"' },
      // A local variable of a sub-scope does not scope the instance.
      { processInstanceKey: '2', scopeKey: '7', name: 'regionCode', value: '"410821101202"' },
      { processInstanceKey: '3', scopeKey: '3', name: 'regionCode', value: '410821' },
    ]);
    expect(scopes.get('1')).toEqual(scope);
    expect(scopes.has('2')).toBe(false);
    // Not a string: no region, nobody's task.
    expect(scopes.has('3')).toBe(false);
  });

  it('shows a task within the region to its candidate groups and its assignee', () => {
    expect(canSee(caseworker, task, scope)).toBe(true);
    expect(canSee({ ...caseworker, regionCode: '410821101' }, task, scope)).toBe(false);
    expect(canSee({ ...caseworker, roles: [Role.VillageCommittee] }, task, scope)).toBe(false);
    expect(canSee({ ...caseworker, roles: [Role.VillageCommittee] }, { ...task, assignee: 'li' }, scope)).toBe(true);
    expect(canSee(county, { candidateGroups: ['county-civil-affairs@410821'] }, scope)).toBe(true);
    // The group's region, not only the instance's: a caseworker of another township holds no group of 410821100.
    expect(canWork({ ...caseworker, regionCode: '410821101' }, task)).toBe(false);
    // A county's caseworker token covers its townships.
    expect(canSee({ ...caseworker, regionCode: '410821' }, task, scope)).toBe(true);
  });

  it('lets a supervisor read every task of the region but work none', () => {
    expect(canSee(supervisor, task, scope)).toBe(true);
    expect(canSee({ ...supervisor, regionCode: '410822' }, task, scope)).toBe(false);
    expect(canWork(supervisor, task)).toBe(false);
  });

  it('fails closed without a region', () => {
    expect(canSee(county, task, undefined)).toBe(false);
  });
});
