import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from './load-config';
import { DEFAULT_RATE_LIMIT_TIERS, parseRateLimitTiers } from './rate-limit-tiers';

describe('RATE_LIMIT_TIERS', () => {
  it('defaults to the PRODUCT.md table', () => {
    expect(parseRateLimitTiers(undefined)).toMatchObject({
      free: { perMinute: 60, perDay: 1000 },
      basic: { perMinute: 300, perDay: 20000 },
      premium: { perMinute: 1200, perDay: 200000 },
      unlimited: null,
    });
  });

  it('merges inline JSON over the table', () => {
    const tiers = parseRateLimitTiers('{"free":{"perMinute":10,"perDay":100},"partner":null}');
    expect(tiers.free).toEqual({ perMinute: 10, perDay: 100, streams: 5 });
    expect(tiers.partner).toBeNull();
    expect(tiers.basic).toEqual(DEFAULT_RATE_LIMIT_TIERS.basic);
  });

  it('limits stream connections per key by tier, and takes a tier\'s own "streams"', () => {
    const tiers = parseRateLimitTiers('{"gold":{"perMinute":5000,"perDay":900000,"streams":300}}');
    expect([tiers.free?.streams, tiers.basic?.streams, tiers.premium?.streams, tiers.unlimited]).toEqual([5, 20, 100, null]);
    expect(tiers.gold?.streams).toBe(300);
    expect(() => parseRateLimitTiers('{"gold":{"perMinute":1,"perDay":1,"streams":0}}')).toThrow(/streams/);
  });

  it('reads a JSON file path', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'tiers-')), 'tiers.json');
    writeFileSync(path, '{"gold":{"perMinute":5000,"perDay":900000}}');
    expect(parseRateLimitTiers(path).gold).toEqual({ perMinute: 5000, perDay: 900000 });
  });

  it('stops the boot with a message naming the variable on a bad value', () => {
    for (const bad of ['{"free":{"perMinute":0,"perDay":1}}', '{"free":{"perMinute":1}}', '{not json', '/no/such/file.json', '{"Bad Name":null}', '[1]']) {
      expect(() => loadConfig({ RATE_LIMIT_TIERS: bad })).toThrow(/RATE_LIMIT_TIERS/);
    }
  });

  it('validates ADMIN_API_KEY as an sk_ key', () => {
    expect(() => loadConfig({ ADMIN_API_KEY: 'secret' })).toThrow(/ADMIN_API_KEY/);
    expect(loadConfig({ ADMIN_API_KEY: 'sk_' + 'a'.repeat(40) }).apiKeys.adminKey).toBe('sk_' + 'a'.repeat(40));
  });
});
