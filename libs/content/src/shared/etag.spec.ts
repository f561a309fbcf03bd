import { ifNoneMatchHits } from '@strata/core';
import { etagFor, expectedVersionFromIfMatch } from './etag';

const id = '0196f0e4-8a5b-7c3d-9e2f-1a2b3c4d5e6f';

describe('etag', () => {
  it('is strong and names id and version', () => {
    expect(etagFor(id, 3)).toBe(`"${id}.3"`);
  });

  it('If-None-Match: weak comparison, lists and *', () => {
    const etag = etagFor(id, 2);
    expect(ifNoneMatchHits(etag, etag)).toBe(true);
    expect(ifNoneMatchHits(`W/${etag}`, etag)).toBe(true);
    expect(ifNoneMatchHits(`"x", ${etag}`, etag)).toBe(true);
    expect(ifNoneMatchHits('*', etag)).toBe(true);
    expect(ifNoneMatchHits(etagFor(id, 1), etag)).toBe(false);
    expect(ifNoneMatchHits(undefined, etag)).toBe(false);
    expect(ifNoneMatchHits(`"${id}.2-gzip"`, etag)).toBe(true);
  });

  it('If-Match: strong comparison', () => {
    expect(expectedVersionFromIfMatch(undefined, id)).toBeUndefined();
    expect(expectedVersionFromIfMatch('*', id)).toBe('any');
    expect(expectedVersionFromIfMatch(etagFor(id, 4), id)).toBe(4);
    expect(expectedVersionFromIfMatch(`W/${etagFor(id, 4)}`, id)).toBeNull();
    expect(expectedVersionFromIfMatch(etagFor('0196f0e4-8a5b-7c3d-9e2f-000000000000', 4), id)).toBeNull();
    expect(expectedVersionFromIfMatch('garbage', id)).toBeNull();
    expect(expectedVersionFromIfMatch(`"${id}.4-br"`, id)).toBe(4);
  });
});
