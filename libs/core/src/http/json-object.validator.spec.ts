import { isBoundedJsonObject } from './json-object.validator';

describe('isBoundedJsonObject', () => {
  const limits = { maxDepth: 3, maxBytes: 100 };
  it('accepts small shallow objects', () => {
    expect(isBoundedJsonObject({ a: { b: { c: 1 } } }, limits)).toBe(true);
    expect(isBoundedJsonObject({}, limits)).toBe(true);
  });
  it('rejects non-objects, arrays and null', () => {
    for (const value of [null, 1, 'x', [1], undefined]) expect(isBoundedJsonObject(value, limits)).toBe(false);
  });
  it('rejects deep nesting', () => {
    expect(isBoundedJsonObject({ a: { b: { c: { d: 1 } } } }, limits)).toBe(false);
  });
  it('rejects large objects', () => {
    expect(isBoundedJsonObject({ a: 'x'.repeat(200) }, limits)).toBe(false);
  });
});
