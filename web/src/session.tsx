import { useEffect, useState } from 'react';
import { currentSession, onSessionChange, type Session } from './auth';

export function useSession(): Session | null {
  const [session, setSession] = useState(currentSession);
  useEffect(() => onSessionChange(() => setSession(currentSession())), []);
  return session;
}
