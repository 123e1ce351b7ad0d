import type { Principal } from '../auth/principal';
import { Role } from '../auth/roles';
import { groupFor, heldGroups, holdsAnyGroup, holdsGroup, parseGroup } from './candidate-groups';

const as = (regionCode: string, ...roles: Role[]): Principal => ({ id: 'x', roles, regionCode });

describe('candidate groups', () => {
  it('are a role and a region, cut to the level the role works at', () => {
    expect(parseGroup('township-caseworker@410821100')).toEqual({ role: 'township-caseworker', regionCode: '410821100' });
    expect(parseGroup('township-caseworker')).toEqual({ role: 'township-caseworker', regionCode: null });
    expect(groupFor(Role.VillageCommittee, '410821100201')).toBe('village-committee@410821100201');
    expect(groupFor(Role.TownshipCaseworker, '410821100201')).toBe('township-caseworker@410821100');
    expect(groupFor(Role.TownshipLeader, '410821100')).toBe('township-leader@410821100');
    expect(groupFor(Role.CountyCivilAffairs, '410821100201')).toBe('county-civil-affairs@410821');
    expect(groupFor(Role.CountyFinance, '410821')).toBe('county-finance@410821');
  });

  it('are held with the role and a region that covers the group’s (a county covers its townships)', () => {
    expect(holdsGroup(as('410821100', Role.TownshipCaseworker), 'township-caseworker@410821100')).toBe(true);
    expect(holdsGroup(as('410821', Role.TownshipCaseworker), 'township-caseworker@410821100')).toBe(true);
    expect(holdsGroup(as('410821101', Role.TownshipCaseworker), 'township-caseworker@410821100')).toBe(false);
    expect(holdsGroup(as('410821100', Role.TownshipLeader), 'township-caseworker@410821100')).toBe(false);
    // A township's token does not reach its county's group.
    expect(holdsGroup(as('410821100', Role.CountyCivilAffairs), 'county-civil-affairs@410821')).toBe(false);
    expect(holdsGroup(as('410800', Role.CountyCivilAffairs), 'county-civil-affairs@410821')).toBe(true);
    expect(holdsGroup(as('410822', Role.CountyCivilAffairs), 'county-civil-affairs@410821')).toBe(false);
    expect(holdsGroup(as('410821100201', Role.VillageCommittee), 'village-committee@410821100201')).toBe(true);
    expect(holdsGroup(as('410821100202', Role.VillageCommittee), 'village-committee@410821100201')).toBe(false);
    // A malformed region holds nothing; a supervisor holds no group.
    expect(holdsGroup(as('410821', Role.TownshipCaseworker), 'township-caseworker@')).toBe(false);
    expect(holdsGroup(as('410821', Role.Supervisor), 'township-caseworker@410821100')).toBe(false);
  });

  it('flat groups (instances of the older models) are held by the role alone', () => {
    expect(holdsGroup(as('410821100', Role.TownshipCaseworker), 'township-caseworker')).toBe(true);
    expect(holdsGroup(as('410821100', Role.TownshipLeader), 'township-caseworker')).toBe(false);
  });

  it('says which of a task’s groups a principal holds', () => {
    const groups = ['township-caseworker@410821100', 'township-leader@410821100', 'county-civil-affairs@410821'];
    expect(heldGroups(as('410821', Role.TownshipLeader, Role.CountyCivilAffairs), groups)).toEqual(['township-leader@410821100', 'county-civil-affairs@410821']);
    expect(holdsAnyGroup(as('410821101', Role.TownshipCaseworker), groups)).toBe(false);
    expect(holdsAnyGroup(as('410821', Role.TownshipCaseworker), undefined)).toBe(false);
  });
});
