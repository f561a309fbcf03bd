import { decodeValue, encodeValue } from './cache-codec';

describe('cache codec', () => {
  it('round-trips dates and nested JSON exactly', () => {
    const value = {
      at: new Date('2026-01-02T03:04:05.678Z'),
      list: [1, 'two', null, { nested: [new Date(0)] }],
      flags: { on: true, off: false },
      empty: {},
    };
    expect(decodeValue(encodeValue(value))).toEqual(value);
    expect(decodeValue<typeof value>(encodeValue(value)).at).toBeInstanceOf(Date);
  });

  it('keeps user objects that look like its own markers', () => {
    const value = { metadata: { $date: 'not a date' }, other: { $plain: { $date: 'x' } } };
    expect(decodeValue(encodeValue(value))).toEqual(value);
  });

  it('round-trips scalars', () => {
    for (const value of ['text', 42, null, true]) expect(decodeValue(encodeValue(value))).toEqual(value);
  });
});
