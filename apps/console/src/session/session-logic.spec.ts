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

/** An API stand-in that answers `api-keys/self` with the key's scopes and records every call. */
function apiWithScopes(scopes: string[]): ApiClient & { calls: string[] } {
  const calls: string[] = [];
  const answer = (method: string, path: string) => {
    calls.push(`${method} ${path}`);
    return path === 'api-keys/self' ? Promise.resolve({ id: null, scopes }) : Promise.reject(refusal(404, 'Not Found', 'not this route'));
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
  it('asks the API who the key is, and tries nothing else', async () => {
    const api = apiWithScopes(['content:read', 'content:write']);
    expect(await scopesOfKey(api)).toEqual(['content:read', 'content:write']);
    expect(api.calls).toEqual(['GET api-keys/self']);
  });

  it('passes a 401 on (an unknown or revoked key) instead of signing in', async () => {
    const api = apiWithScopes([]);
    api.get = () => Promise.reject(refusal(401, 'Unauthorized', 'The API key is not valid.'));
    await expect(scopesOfKey(api)).rejects.toMatchObject({ status: 401 });
  });
});
