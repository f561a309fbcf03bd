import { ProblemException } from '../http/problem.exception';
import { decodeCursor, encodeCursor } from './cursor';

const id = '0196f0e4-8a5b-7c3d-9e2f-1a2b3c4d5e6f';

describe('cursor', () => {
  it('round-trips', () => {
    const cursor = { sort: '-createdAt', value: '2026-11-22T10:00:00.123Z', id };
    expect(decodeCursor(encodeCursor(cursor), '-createdAt')).toEqual(cursor);
    expect(decodeCursor(encodeCursor({ sort: 'relevance', value: 0.0607927, id }), 'relevance').value).toBe(0.0607927);
  });

  it.each([
    ['not base64', '!!!'],
    ['not json', Buffer.from('{nope').toString('base64url')],
    ['wrong shape', Buffer.from('{"a":1}').toString('base64url')],
    ['bad id', Buffer.from(JSON.stringify(['-createdAt', 'x', "1'; DROP TABLE pages;--"])).toString('base64url')],
    ['object value', Buffer.from(JSON.stringify(['-createdAt', { a: 1 }, id])).toString('base64url')],
    ['too long', 'a'.repeat(2000)],
  ])('rejects %s with a 400', (_name, raw) => {
    expect(() => decodeCursor(raw, '-createdAt')).toThrow(ProblemException);
    try {
      decodeCursor(raw, '-createdAt');
    } catch (error) {
      expect((error as ProblemException).getStatus()).toBe(400);
    }
  });

  it('rejects a cursor issued for another sort', () => {
    expect(() => decodeCursor(encodeCursor({ sort: 'title', value: 'a', id }), '-createdAt')).toThrow(/another sort/);
  });
});
