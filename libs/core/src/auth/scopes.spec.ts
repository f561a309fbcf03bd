import { requiredScopeFor, scopesAllow } from './scopes';

describe('scopes', () => {
  it('lets admin do everything and others only what they hold', () => {
    expect(scopesAllow(['admin'], 'keys:manage')).toBe(true);
    expect(scopesAllow(['content:read'], 'content:read')).toBe(true);
    expect(scopesAllow(['content:read'], 'content:write')).toBe(false);
    expect(scopesAllow([], 'none')).toBe(true);
  });

  it('picks the route scope, else read/write by method, else admin', () => {
    const readWrite = { read: 'content:read', write: 'content:write' } as const;
    expect(requiredScopeFor('POST', 'keys:manage', readWrite)).toBe('keys:manage');
    expect(requiredScopeFor('GET', undefined, readWrite)).toBe('content:read');
    expect(requiredScopeFor('HEAD', undefined, readWrite)).toBe('content:read');
    expect(requiredScopeFor('PATCH', undefined, readWrite)).toBe('content:write');
    expect(requiredScopeFor('GET', undefined, undefined)).toBe('admin');
  });
});
