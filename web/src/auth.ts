/** The signed-in user: a bearer token (development or OIDC) and what its claims say; kept in sessionStorage. */
export interface Session {
  token: string;
  sub: string;
  roles: string[];
  region: string;
  /** Seconds since the epoch. */
  exp?: number;
}

const KEY = 'doudi.session';
const listeners = new Set<() => void>();

export function claimsOf(token: string): Omit<Session, 'token'> {
  const part = token.split('.')[1] ?? '';
  const json = decodeURIComponent(
    Array.from(atob(part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=')), (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join(''),
  );
  const payload = JSON.parse(json) as { sub?: string; roles?: unknown; region?: unknown; exp?: number };
  return { sub: payload.sub ?? '', roles: Array.isArray(payload.roles) ? payload.roles.map(String) : [], region: typeof payload.region === 'string' ? payload.region : '', exp: payload.exp };
}

export function currentSession(): Session | null {
  const raw = sessionStorage.getItem(KEY);
  if (!raw) return null;
  try {
    const session = JSON.parse(raw) as Session;
    if (session.exp && session.exp * 1000 < Date.now()) {
      sessionStorage.removeItem(KEY);
      return null;
    }
    return session;
  } catch {
    return null;
  }
}

export const currentToken = (): string | null => currentSession()?.token ?? null;

export function signIn(token: string): Session {
  const session = { token, ...claimsOf(token) };
  sessionStorage.setItem(KEY, JSON.stringify(session));
  listeners.forEach((l) => l());
  return session;
}

export function signOut(): void {
  sessionStorage.removeItem(KEY);
  listeners.forEach((l) => l());
}

export function onSessionChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export const hasRole = (session: Session | null, ...roles: string[]): boolean => !!session && roles.some((r) => session.roles.includes(r));
