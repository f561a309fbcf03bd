import { etagForEncoding, withoutEncodingSuffix } from './etag-encoding';

describe('ETag content-coding suffix', () => {
  it('marks a compressed representation', () => {
    expect(etagForEncoding('"a.1"', 'gzip')).toBe('"a.1-gzip"');
    expect(etagForEncoding('"a.1"', 'br')).toBe('"a.1-br"');
  });
  it('leaves identity bodies and weak tags alone', () => {
    expect(etagForEncoding('"a.1"', undefined)).toBe('"a.1"');
    expect(etagForEncoding('"a.1"', 'identity')).toBe('"a.1"');
    expect(etagForEncoding('W/"a.1"', 'gzip')).toBe('W/"a.1"');
  });
  it('strips the suffix again', () => {
    expect(withoutEncodingSuffix('"a.1-gzip"')).toBe('"a.1"');
    expect(withoutEncodingSuffix('"a.1-br"')).toBe('"a.1"');
    expect(withoutEncodingSuffix('"a.1"')).toBe('"a.1"');
  });
});
