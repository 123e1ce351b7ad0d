import { Role } from '../auth/roles';
import { mayReassign } from './reassignment';

describe('who reassigns a task', () => {
  const as = (...roles: Role[]) => ({ id: 'x', roles, regionCode: '410821100' });

  it('a township leader the township tasks, county civil affairs the county ones', () => {
    expect(mayReassign(as(Role.TownshipLeader), { candidateGroups: ['township-caseworker'] })).toBe(true);
    expect(mayReassign(as(Role.TownshipLeader), { candidateGroups: ['village-committee'] })).toBe(true);
    expect(mayReassign(as(Role.CountyCivilAffairs), { candidateGroups: ['county-finance'] })).toBe(true);
    expect(mayReassign(as(Role.CountyCivilAffairs), { candidateGroups: ['township-caseworker'] })).toBe(false);
    expect(mayReassign(as(Role.TownshipLeader), { candidateGroups: ['county-civil-affairs'] })).toBe(false);
  });

  it('within the leader’s region, by the group’s region', () => {
    expect(mayReassign(as(Role.TownshipLeader), { candidateGroups: ['township-caseworker@410821100'] })).toBe(true);
    expect(mayReassign(as(Role.TownshipLeader), { candidateGroups: ['village-committee@410821100201'] })).toBe(true);
    expect(mayReassign(as(Role.TownshipLeader), { candidateGroups: ['township-caseworker@410821101'] })).toBe(false);
    expect(mayReassign({ ...as(Role.CountyCivilAffairs), regionCode: '410821' }, { candidateGroups: ['county-finance@410821'] })).toBe(true);
    expect(mayReassign({ ...as(Role.CountyCivilAffairs), regionCode: '410822' }, { candidateGroups: ['county-finance@410821'] })).toBe(false);
  });

  it('nobody else, and no task without candidate groups', () => {
    expect(mayReassign(as(Role.TownshipCaseworker), { candidateGroups: ['township-caseworker'] })).toBe(false);
    expect(mayReassign(as(Role.Supervisor), { candidateGroups: ['township-caseworker'] })).toBe(false);
    expect(mayReassign(as(Role.TownshipLeader), {})).toBe(false);
  });
});
