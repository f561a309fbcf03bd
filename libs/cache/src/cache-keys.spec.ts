import { cacheKey, queryKeyPart } from './cache-keys';

describe('cache keys', () => {
  it('encodes user parts so they cannot forge a separator', () => {
    expect(cacheKey('page', 'a:b*c')).toBe('page:a%3Ab*c');
    expect(cacheKey('page', 'x', 'y')).not.toBe(cacheKey('page', 'x:y'));
  });

  it('names the same query the same way whatever the field order', () => {
    expect(queryKeyPart({ limit: 20, status: 'draft', q: undefined })).toBe(queryKeyPart({ status: 'draft', limit: 20 }));
    expect(queryKeyPart({ limit: 20 })).not.toBe(queryKeyPart({ limit: 21 }));
  });
});
