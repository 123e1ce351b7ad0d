import type { Session } from '../auth';
export function Intake(_: { session: Session }) {
  return null;
}
