import { randomBytes } from 'node:crypto';
import { SecretBox } from './secret-box';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));
  const secret = 'whsec_' + randomBytes(32).toString('base64');

  it('round-trips and never shows the plaintext', () => {
    const sealed = box.seal(secret);
    expect(sealed).not.toContain(secret.slice(6, 20));
    expect(box.open(sealed)).toBe(secret);
    expect(box.seal(secret)).not.toBe(sealed);
  });

  it('refuses a tampered value, a wrong key and a non-sealed value', () => {
    const sealed = box.seal(secret);
    const parts = sealed.split('.');
    const flipped = Buffer.from(parts[3], 'base64url');
    flipped[0] ^= 1;
    expect(() => box.open([parts[0], parts[1], parts[2], flipped.toString('base64url')].join('.'))).toThrow();
    expect(() => new SecretBox(randomBytes(32)).open(sealed)).toThrow();
    expect(() => box.open(secret)).toThrow(/not a sealed secret/);
  });

  it('derives one stable key per purpose, the same for every box with the same key', () => {
    const key = randomBytes(32);
    const derived = new SecretBox(key).deriveKey('strata admin session v1');
    expect(derived).toHaveLength(32);
    expect(new SecretBox(Buffer.from(key)).deriveKey('strata admin session v1').equals(derived)).toBe(true);
    expect(new SecretBox(key).deriveKey('another purpose').equals(derived)).toBe(false);
    expect(new SecretBox(randomBytes(32)).deriveKey('strata admin session v1').equals(derived)).toBe(false);
    expect(derived.equals(key)).toBe(false);
  });

  it('needs a 32-byte key', () => {
    expect(() => new SecretBox(randomBytes(16))).toThrow();
  });
});
