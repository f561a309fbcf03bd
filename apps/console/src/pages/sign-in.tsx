import { useState } from 'preact/hooks';
import { ProblemView } from '../components/problem-view';
import { normaliseKey } from '../session/key-storage';

/** Paste a key to sign in. The key stays in this tab (sessionStorage) and goes only into request headers. */
export function SignIn({ onSignIn }: { onSignIn: (key: string) => Promise<void> }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onSignIn(normaliseKey(key));
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };
  return (
    <main class="sign-in">
      <h1>Strata Console</h1>
      <form onSubmit={(event) => void submit(event)}>
        <label for="api-key">API key</label>
        <input
          id="api-key"
          name="api-key"
          type="password"
          autoComplete="off"
          spellcheck={false}
          required
          placeholder="sk_…"
          value={key}
          onInput={(event) => setKey(event.currentTarget.value)}
        />
        <p class="hint">Kept in this tab only (sessionStorage) and sent only in the Authorization header. What you see depends on the key's scopes.</p>
        <button type="submit" disabled={busy || key.trim() === ''}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <ProblemView error={error} />
    </main>
  );
}
