import { createHash } from 'node:crypto';
import { apiKeyStart, generateApiKey, hashApiKey, hashesEqual, looksLikeApiKey, presentedApiKey } from './api-key-secret';

describe('API key secrets', () => {
  it('generates sk_ + 40 base62 characters, different every time, using the whole alphabet', () => {
    const keys = Array.from({ length: 200 }, generateApiKey);
    for (const key of keys) expect(key).toMatch(/^sk_[A-Za-z0-9]{40}$/);
    expect(new Set(keys).size).toBe(200);
    const characters = new Set(keys.join('').slice(3).replace(/sk_/g, ''));
    expect(characters.size).toBe(62);
  });

  it('hashes with SHA-256 (hex) and keeps the first 8 characters as start', () => {
    const key = generateApiKey();
    expect(hashApiKey(key)).toBe(createHash('sha256').update(key).digest('hex'));
    expect(apiKeyStart(key)).toBe(key.slice(0, 8));
  });

  it('compares hashes for equality', () => {
    const hash = hashApiKey('sk_a');
    expect(hashesEqual(hash, hashApiKey('sk_a'))).toBe(true);
    expect(hashesEqual(hash, hashApiKey('sk_b'))).toBe(false);
  });

  it('accepts only the key shape', () => {
    expect(looksLikeApiKey(generateApiKey())).toBe(true);
    expect(looksLikeApiKey('sk_short')).toBe(false);
    expect(looksLikeApiKey('pk_' + 'a'.repeat(40))).toBe(false);
    expect(looksLikeApiKey('sk_' + 'a'.repeat(39) + '!')).toBe(false);
  });

  it('reads the key from Authorization: Bearer or X-API-Key', () => {
    expect(presentedApiKey({ authorization: 'Bearer sk_abc' })).toBe('sk_abc');
    expect(presentedApiKey({ authorization: 'bearer  sk_abc ' })).toBe('sk_abc');
    expect(presentedApiKey({ 'x-api-key': 'sk_def' })).toBe('sk_def');
    expect(presentedApiKey({ authorization: 'Basic Zm9vOmJhcg==' })).toBeUndefined();
    expect(presentedApiKey({})).toBeUndefined();
  });
});
