import type { Principal } from '../auth/principal';
import { Role } from '../auth/roles';
import { taskListWhere, urgencyOf } from './task-list-query';

const principal = (roles: Role[], regionCode: string): Principal => ({ id: 'li', roles, regionCode }) as Principal;
const filter = { view: 'open' as const, state: 'CREATED', offset: 0, limit: 50 };
const at = (iso: string) => new Date(iso);

describe('taskListWhere', () => {
  it('reads a township, a county and any other level through its own predicate', () => {
    expect(taskListWhere(filter, principal([Role.TownshipCaseworker], '410821100'), new Date()).where).toContain('township_code = $2');
    expect(taskListWhere(filter, principal([Role.CountyCivilAffairs], '410821'), new Date()).where).toContain('county_code = $2');
    const village = taskListWhere(filter, principal([Role.VillageCommittee], '410821100201'), new Date());
    expect(village.where).toContain('region_code LIKE $2');
    expect(village.params[1]).toBe('410821100201%');
    expect(taskListWhere(filter, principal([Role.Supervisor], '410800'), new Date()).params[1]).toBe('4108%');
  });

  it('limits everyone but supervisors to their candidate groups or their own tasks', () => {
    const caseworker = taskListWhere(filter, principal([Role.TownshipCaseworker], '410821100'), new Date());
    expect(caseworker.where).toContain("EXISTS (SELECT 1 FROM unnest(candidate_groups) g WHERE split_part(g, '@', 1) = ANY($3::text[]) AND (strpos(g, '@') = 0 OR split_part(g, '@', 2) LIKE $4 || '%')) OR assignee = $5");
    expect(caseworker.params.slice(2)).toEqual([[Role.TownshipCaseworker], '410821100', 'li']);
    // A city's token: its prefix (4108), as region_code is matched.
    expect(taskListWhere(filter, principal([Role.CountyCivilAffairs], '410800'), new Date()).params[3]).toBe('4108');
    expect(taskListWhere(filter, principal([Role.Supervisor], '410821'), new Date()).where).not.toContain('candidate_groups');
  });

  it('escapes the wildcards of a search', () => {
    const { params } = taskListWhere({ ...filter, q: ' 50%_王 ' }, principal([Role.TownshipCaseworker], '410821100'), new Date());
    expect(params.slice(-2)).toEqual(['50\\%\\_王%', '%50\\%\\_王%']);
  });
});

describe('urgencyOf', () => {
  const created = at('2026-12-01T01:00:00Z');
  const due = at('2026-12-11T09:00:00Z'); // 17:00 in Shanghai, ten days and eight hours later
  it('says overdue from the due instant on', () => {
    expect(urgencyOf(created, due, due, 0.75)).toBe('overdue');
  });
  it('says due today on the due date in Shanghai, even before UTC midnight', () => {
    expect(urgencyOf(created, due, at('2026-12-10T16:30:00Z'), 0.75)).toBe('due-today'); // 00:30 on the 11th in Shanghai
    expect(urgencyOf(created, due, at('2026-12-10T15:30:00Z'), 0.75)).toBe('at-risk'); // 23:30 on the 10th
  });
  it('says at risk past the share of its time, nothing before, nothing without a due date', () => {
    expect(urgencyOf(created, due, at('2026-12-08T20:00:00Z'), 0.75)).toBe('at-risk');
    expect(urgencyOf(created, due, at('2026-12-05T00:00:00Z'), 0.75)).toBeNull();
    expect(urgencyOf(created, null, due, 0.75)).toBeNull();
  });
});
