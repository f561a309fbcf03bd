import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { ApiClient } from '../api/client';
import type { Capabilities } from './scopes';

/** The signed-in key: the client that sends it, what its scopes allow, and how to sign out. */
export interface Session {
  api: ApiClient;
  capabilities: Capabilities;
  signOut: () => void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in console');
  return session;
}
