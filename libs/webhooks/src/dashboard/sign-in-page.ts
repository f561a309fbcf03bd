import { ADMIN_SESSION_TTL_S } from './admin-session';

/** What the sign-in page says above its form. */
export interface SignInPageState {
  /** Why the last attempt failed, shown as an alert. */
  error?: string;
  /** A note that is not an error (signed out, already signed in). */
  notice?: string;
  signedIn?: boolean;
}

/**
 * The queue dashboard's sign-in page: plain HTML forms, no script at all (the CSP allows only
 * same-origin scripts), styles inline (the CSP allows inline styles). The key travels in a
 * POST body, never in a URL.
 */
export function signInPage(state: SignInPageState = {}): string {
  const message = state.error
    ? `<p class="error" role="alert">${escapeHtml(state.error)}</p>`
    : state.notice
      ? `<p class="notice" role="status">${escapeHtml(state.notice)}</p>`
      : '';
  const signedIn = state.signedIn ? '<p><a href="/admin/queues">Open the queue dashboard</a></p>' : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · Strata queue dashboard</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 28rem; margin: 4rem auto; padding: 0 1rem; color: #1f2328; }
  h1 { font-size: 1.4rem; }
  label { display: block; font-weight: 600; margin-bottom: .25rem; }
  input[type=password] { width: 100%; box-sizing: border-box; padding: .5rem; font: inherit; font-family: ui-monospace, monospace; }
  button { margin-top: .75rem; padding: .5rem 1rem; font: inherit; cursor: pointer; }
  .error { background: #ffebe9; border: 1px solid #ff8182; padding: .5rem .75rem; border-radius: 4px; }
  .notice { background: #ddf4ff; border: 1px solid #54aeff; padding: .5rem .75rem; border-radius: 4px; }
  .sign-out { margin-top: 2rem; border-top: 1px solid #d0d7de; padding-top: 1rem; }
  .sign-out button { margin-top: 0; }
</style>
</head>
<body>
<main>
<h1>Strata queue dashboard</h1>
${message}${signedIn}
<form method="post" action="/admin/sign-in">
  <label for="key">API key with the admin scope</label>
  <input id="key" name="key" type="password" autocomplete="off" required autofocus spellcheck="false">
  <button type="submit">Sign in</button>
</form>
<p>A session lasts ${ADMIN_SESSION_TTL_S / 60} minutes, and ends as soon as its key is revoked.</p>
<form class="sign-out" method="post" action="/admin/sign-out">
  <button type="submit">Sign out</button>
</form>
</main>
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
