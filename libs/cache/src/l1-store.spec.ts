import type { CacheEntry } from './cache-entry';
import { L1Store } from './l1-store';

const entry = (tags: string[] = []): CacheEntry => ({ value: 'v', freshUntil: Infinity, staleUntil: Infinity, tags });

describe('L1Store', () => {
  it('never holds more entries than its bound', () => {
    const l1 = new L1Store(10, 1_000_000);
    for (let i = 0; i < 100; i++) l1.set(`k${i}`, entry(), 10);
    expect(l1.entries).toBe(10);
    expect(l1.get('k99')).toBeDefined();
    expect(l1.get('k0')).toBeUndefined();
  });

  it('never holds more bytes than its bound, whatever the flood', () => {
    const l1 = new L1Store(10_000, 10_000);
    for (let i = 0; i < 1000; i++) {
      l1.set(`k${i}`, entry(), 1 + ((i * 7919) % 3000));
      expect(l1.bytes).toBeLessThanOrEqual(10_000);
    }
    l1.set('huge', entry(), 20_000);
    expect(l1.get('huge')).toBeUndefined();
    expect(l1.bytes).toBeLessThanOrEqual(10_000);
  });

  it('drops every entry of a tag, and only those', () => {
    const l1 = new L1Store(100, 100_000);
    l1.set('a', entry(['t1']), 1);
    l1.set('b', entry(['t1', 't2']), 1);
    l1.set('c', entry(['t2']), 1);
    l1.deleteByTag('t1');
    expect([l1.get('a'), l1.get('b'), l1.get('c')].map(Boolean)).toEqual([false, false, true]);
  });

  it('keeps the tag index right when an entry is replaced with other tags', () => {
    const l1 = new L1Store(100, 100_000);
    l1.set('a', entry(['old']), 1);
    l1.set('a', entry(['new']), 1);
    l1.deleteByTag('old');
    expect(l1.get('a')).toBeDefined();
    l1.deleteByTag('new');
    expect(l1.get('a')).toBeUndefined();
  });

  it('drops by prefix', () => {
    const l1 = new L1Store(100, 100_000);
    l1.set('page:1', entry(), 1);
    l1.set('pages:list:x', entry(), 1);
    l1.deleteByPrefix('page:');
    expect(l1.get('page:1')).toBeUndefined();
    expect(l1.get('pages:list:x')).toBeDefined();
  });

  it('keeps derived bytes under the same bounds as the values, in their own key space', () => {
    const l1 = new L1Store(100, 1000);
    l1.set('k', entry(), 600);
    l1.setBytes('k', Buffer.alloc(300));
    expect(l1.get('k')).toBeDefined();
    expect(l1.getBytes('k')).toHaveLength(300);
    expect(l1.bytes).toBe(900);
    // 300 more bytes do not fit beside both: the least recently used (the value) goes.
    l1.setBytes('other', Buffer.alloc(300));
    expect(l1.bytes).toBeLessThanOrEqual(1000);
    expect(l1.get('k')).toBeUndefined();
    l1.deleteByPrefix('');
    expect(l1.getBytes('other')).toBeDefined();
  });
});
