import type { ApiClient } from '../api/client';
import { StrataProblem } from '@strata/client';
import { hrefOf, parseRoute } from '../routing';
import { forgetKey, normaliseKey, storedKey, storeKey } from './key-storage';
import { capabilitiesOf } from './scopes';
import { scopesOfKey } from './sign-in';

describe('key storage', () => {
  it('keeps the key in the given (session) storage and forgets it', () => {
    const items = new Map<string, string>();
    const storage = {
      getItem: (name: string) => items.get(name) ?? null,
      setItem: (name: string, value: string) => void items.set(name, value),
      removeItem: (name: string) => void items.delete(name),
    };
    storeKey('sk_abc', storage);
    expect(storedKey(storage)).toBe('sk_abc');
    forgetKey(storage);
    expect(storedKey(storage)).toBeNull();
  });

  it('trims a pasted key and a Bearer prefix', () => {
    expect(normaliseKey('  Bearer sk_abc \n')).toBe('sk_abc');
  });
});

describe('capabilities', () => {
  it('lets admin do everything and others only what they hold', () => {
    expect(capabilitiesOf(['admin']).can('keys:manage')).toBe(true);
    const reader = capabilitiesOf(['content:read']);
    expect([reader.can('content:read'), reader.can('content:write'), reader.can('webhooks:manage')]).toEqual([true, false, false]);
  });
});

describe('routes', () => {
  it('parses the hash and falls back to the overview', () => {
    expect(parseRoute('#/webhooks/0196')).toEqual({ page: 'webhooks', parts: ['0196'] });
    expect(parseRoute('#/nowhere/x')).toEqual({ page: 'overview', parts: [] });
    expect(parseRoute(hrefOf('relationships', 'page', 'a b'))).toEqual({ page: 'relationships', parts: ['page', 'a b'] });
  });
});

const refusal = (status: number, title: string, detail: string) => new StrataProblem({ type: 'about:blank', title, status, detail });

/** An API stand-in answering each request by method and path: 403 for what the key's scopes do not allow. */
function apiWithScopes(scopes: string[], canVerify: boolean): ApiClient & { calls: string[] } {
  const calls: string[] = [];
  const needs: Record<string, string> = {
    'GET pages': 'content:read',
    'POST pages': 'content:write',
    'POST relationships': 'relationships:write',
    'GET webhooks': 'webhooks:manage',
    'GET cache/health': 'cache:admin',
  };
  const answer = (method: string, path: string) => {
    calls.push(`${method} ${path}`);
    if (path === 'api-keys/verify') {
      if (!canVerify) return Promise.reject(refusal(403, 'Forbidden', 'needs keys:manage'));
      return Promise.resolve({ valid: true, scopes });
    }
    if (!scopes.includes(needs[`${method} ${path}`])) return Promise.reject(refusal(403, 'Forbidden', 'scope missing'));
    // A write probe with an empty body passes the scope check and fails validation.
    return method === 'POST' ? Promise.reject(refusal(400, 'Bad Request', 'invalid body')) : Promise.resolve({ data: [] });
  };
  return {
    key: 'sk_test',
    calls,
    get: (path) => answer('GET', path) as never,
    getWithEtag: () => Promise.reject(new Error('not used')),
    send: (method, path) => answer(method, path) as never,
    raw: () => Promise.reject(new Error('not used')),
  };
}

describe('scopesOfKey', () => {
  it('asks verify when the key may, and probes nothing else', async () => {
    const api = apiWithScopes(['keys:manage', 'content:read'], true);
    expect(await scopesOfKey(api)).toEqual(['keys:manage', 'content:read']);
    expect(api.calls).toEqual(['POST api-keys/verify']);
  });

  it('otherwise probes each scope: 403 means missing, anything else (a 400 on an empty write) means held', async () => {
    const api = apiWithScopes(['content:read', 'content:write'], false);
    expect(await scopesOfKey(api)).toEqual(['content:read', 'content:write']);
  });

  it('passes a 401 on (an unknown or revoked key) instead of signing in', async () => {
    const api = apiWithScopes([], true);
    api.send = () => Promise.reject(refusal(401, 'Unauthorized', 'The API key is not valid.'));
    await expect(scopesOfKey(api)).rejects.toMatchObject({ status: 401 });
  });
});
