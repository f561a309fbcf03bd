import { QueryClient, QueryClientProvider } from '@tanstack/preact-query';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { createApiClient } from './api/client';
import { StrataProblem } from '@strata/client';
import { Layout } from './layout';
import { forgetKey, storedKey, storeKey } from './session/key-storage';
import { capabilitiesOf } from './session/scopes';
import { Session, SessionContext } from './session/session';
import { scopesOfKey } from './session/sign-in';
import { SignIn } from './pages/sign-in';

/** Failed requests are not retried blindly: a 4xx will not change, and a 429 says when to come back. */
function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: (count, error) => count < 2 && !(error instanceof StrataProblem && error.status >= 400 && error.status < 500),
        refetchOnWindowFocus: false,
      },
    },
  });
}

/** Signed out: the sign-in form. Signed in: the pages, with the key's scopes known. */
export function App() {
  const [session, setSession] = useState<Session | null>(null);
  const [restoring, setRestoring] = useState(() => storedKey() !== null);
  const queryClient = useMemo(createQueryClient, [session]);

  const signIn = async (key: string) => {
    const api = createApiClient(key);
    const scopes = await scopesOfKey(api);
    storeKey(key);
    setSession({
      api,
      capabilities: capabilitiesOf(scopes),
      signOut: () => {
        forgetKey();
        setSession(null);
      },
    });
  };

  // A reload of the tab keeps the key (sessionStorage) and signs in again without asking.
  useEffect(() => {
    const key = storedKey();
    if (!key) return;
    signIn(key)
      .catch(() => forgetKey())
      .finally(() => setRestoring(false));
  }, []);

  if (restoring) return <p class="loading">Signing in…</p>;
  if (!session) return <SignIn onSignIn={signIn} />;
  return (
    <SessionContext.Provider value={session}>
      <QueryClientProvider client={queryClient}>
        <Layout />
      </QueryClientProvider>
    </SessionContext.Provider>
  );
}
