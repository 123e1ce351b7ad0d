/** The actors of ../shared/domain/PROCEDURES.md ("Actors"), plus integrators (other government systems), calendar administrators and trainers. */
export enum Role {
  VillageCommittee = 'village-committee',
  TownshipCaseworker = 'township-caseworker',
  TownshipLeader = 'township-leader',
  CountyCivilAffairs = 'county-civil-affairs',
  CountyFinance = 'county-finance',
  Bank = 'bank',
  Supervisor = 'supervisor',
  Integrator = 'integrator',
  /** Loads the State Council's holiday notices (province or national region). */
  CalendarAdmin = 'calendar-admin',
  /** Moves the clock of a training install (never in production): PUT /api/v1/training/clock. */
  Trainer = 'trainer',
}

export const ALL_ROLES: readonly Role[] = Object.values(Role);

/** The roles that work user tasks (their names are the models' candidate groups). */
export const WORKING_ROLES: readonly Role[] = [Role.VillageCommittee, Role.TownshipCaseworker, Role.TownshipLeader, Role.CountyCivilAffairs, Role.CountyFinance];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ALL_ROLES as readonly string[]).includes(value);
}
