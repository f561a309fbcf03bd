import { randomBytes } from 'node:crypto';
import { SecretBox } from '@strata/core';
import { ADMIN_SESSION_TTL_S, AdminSessions } from './admin-session';

describe('AdminSessions cookie value', () => {
  const key = randomBytes(32);
  // Only the cookie codec is under test here; checking the key afresh is the e2e tests' part.
  const sessions = new AdminSessions(new SecretBox(key), undefined as never);
  const keyId = '0195f1a2-7b3c-7d4e-8f90-123456789abc';
  const now = Date.UTC(2026, 0, 1);

  it('names the key id and an expiry, signed, and opens until the expiry only', () => {
    const value = sessions.seal(keyId, now);
    expect(value.startsWith(`v1.${keyId}.${now / 1000 + ADMIN_SESSION_TTL_S}.`)).toBe(true);
    expect(sessions.open(value, now)).toBe(keyId);
    expect(sessions.open(value, now + ADMIN_SESSION_TTL_S * 1000 - 1)).toBe(keyId);
    expect(sessions.open(value, now + ADMIN_SESSION_TTL_S * 1000)).toBeUndefined();
  });

  it('is accepted by every instance with the same secrets key, and by no other', () => {
    const value = sessions.seal(keyId, now);
    expect(new AdminSessions(new SecretBox(Buffer.from(key)), undefined as never).open(value, now)).toBe(keyId);
    expect(new AdminSessions(new SecretBox(randomBytes(32)), undefined as never).open(value, now)).toBeUndefined();
  });

  it('refuses any change to the signed part or the signature, and malformed values', () => {
    const [format, id, expires, signature] = sessions.seal(keyId, now).split('.');
    const open = (parts: string[]) => sessions.open(parts.join('.'), now);
    expect(open([format, id.replace('7b3c', '7b3d'), expires, signature])).toBeUndefined();
    expect(open([format, id, String(Number(expires) + 1), signature])).toBeUndefined();
    expect(open([format, id, expires, signature.slice(1)])).toBeUndefined();
    expect(open([format, id, expires])).toBeUndefined();
    expect(open(['v2', id, expires, signature])).toBeUndefined();
    expect(sessions.open('', now)).toBeUndefined();
    expect(sessions.open('.', now)).toBeUndefined();
  });
});
