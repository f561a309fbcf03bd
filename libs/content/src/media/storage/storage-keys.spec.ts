import { StorageKeys } from './storage-keys';

describe('StorageKeys', () => {
  const keys = new StorageKeys('tenant/media/');

  it('joins a media key directly under the prefix', () => {
    expect(keys.of('0196f0e4-8a5b-7c3d-9e2f-1a2b3c4d5e6f')).toBe('tenant/media/0196f0e4-8a5b-7c3d-9e2f-1a2b3c4d5e6f');
    expect(new StorageKeys('/var/lib/strata/media/').of('abc')).toBe('/var/lib/strata/media/abc');
  });

  it.each(['', '.', '..', '../x', 'a/b', 'a\\b', '.hidden', '.strata-check-0196f0e4-8a5b-7c3d-9e2f-1a2b3c4d5e6f', 'x'.repeat(129), 'a b', 'ä'])(
    'refuses %j as a media key',
    (key) => {
      expect(() => keys.of(key)).toThrow(/Invalid media storage key/);
    },
  );

  it('names markers under the prefix that no media key can take, and recognises only those', () => {
    const marker = keys.newMarker();
    expect(marker.startsWith(keys.markerPrefix)).toBe(true);
    expect(marker.startsWith('tenant/media/.strata-check-')).toBe(true);
    expect(keys.isMarker(marker)).toBe(true);
    expect(() => keys.of(marker.slice('tenant/media/'.length))).toThrow();
    expect(keys.isMarker('other/.strata-check-0196f0e4-8a5b-7c3d-9e2f-1a2b3c4d5e6f')).toBe(false);
    expect(keys.isMarker('tenant/media/0196f0e4-8a5b-7c3d-9e2f-1a2b3c4d5e6f')).toBe(false);
  });
});
