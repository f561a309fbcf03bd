import type { ApiClient } from '../api/client';
import { ApiProblem } from '../api/problem';
import type { VerifyApiKeyResultDto } from '../api/types';
import type { Scope } from './scopes';

/** A probe per scope: a request the scope allows that changes nothing. */
interface ScopeProbe {
  scope: Scope;
  probe: (api: ApiClient) => Promise<unknown>;
}

/**
 * Writes are probed with an empty body: the API checks the key's scope before it validates the
 * body, so the answer is 403 without the scope and 400 (nothing created) with it.
 */
const SCOPE_PROBES: ScopeProbe[] = [
  { scope: 'content:read', probe: (api) => api.get('pages', { limit: 1 }) },
  { scope: 'content:write', probe: (api) => api.send('POST', 'pages', {}) },
  { scope: 'relationships:write', probe: (api) => api.send('POST', 'relationships', {}) },
  { scope: 'webhooks:manage', probe: (api) => api.get('webhooks', { limit: 1 }) },
  { scope: 'cache:admin', probe: (api) => api.get('cache/health') },
];

/**
 * Signs in with a key: learns which scopes it holds. A key with `keys:manage` (or `admin`) asks
 * the API directly (verify, with the key itself); any other key is probed route by route, as
 * the API has no "who am I" route that every key may call. A 401 (unknown, revoked, expired
 * key) or a 429 is thrown as the problem the API gave.
 */
export async function scopesOfKey(api: ApiClient): Promise<string[]> {
  try {
    const verified = await api.send<VerifyApiKeyResultDto>('POST', 'api-keys/verify', { key: api.key });
    if (verified.valid) return verified.scopes;
  } catch (error) {
    if (!(error instanceof ApiProblem) || error.status !== 403) throw error;
  }
  const held: string[] = [];
  for (const { scope, probe } of SCOPE_PROBES) {
    if (await allows(() => probe(api))) held.push(scope);
  }
  return held;
}

/** Whether the API let the request past its scope check: anything but a 403 (a 400 included). */
async function allows(request: () => Promise<unknown>): Promise<boolean> {
  try {
    await request();
    return true;
  } catch (error) {
    if (error instanceof ApiProblem && error.status !== 403 && error.status !== 401 && error.status !== 429) return true;
    if (error instanceof ApiProblem && error.status === 403) return false;
    throw error;
  }
}
