import type { ApiClient } from '../api/client';
import { hasStatus } from '../api/problem';
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
    if (verified.valid) return verified.scopes ?? [];
  } catch (error) {
    if (!hasStatus(error, 403)) throw error;
  }
  const held: string[] = [];
  for (const { scope, probe } of SCOPE_PROBES) {
    if (await allows(() => probe(api))) held.push(scope);
  }
  return held;
}

/**
 * Whether the API let the request past its scope check: an answer, or the body refused (400,
 * 422). A 403 means the scope is missing; anything else (401, 429, 5xx) is the problem to show.
 */
async function allows(request: () => Promise<unknown>): Promise<boolean> {
  try {
    await request();
    return true;
  } catch (error) {
    if (hasStatus(error, 403)) return false;
    if (hasStatus(error, 400, 422)) return true;
    throw error;
  }
}
