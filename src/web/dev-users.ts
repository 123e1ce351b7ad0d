import type { Role } from '../auth/roles';
import { demoSubject, DEMO_USERS } from '../demo/demo.seeder';

/** A demo user of the development sign-in: the seeder's users, each with a token subject of its own. */
export interface DemoUser {
  sub: string;
  role: Role;
  region: string;
  who: string;
}

export const demoUsers = (): DemoUser[] => DEMO_USERS.map((u) => ({ ...u, sub: demoSubject(u) }));
