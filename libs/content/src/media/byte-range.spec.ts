import { answerToRange } from './byte-range';

describe('answerToRange', () => {
  const etag = '"0196f0e4-8a5b-7c3d-9e2f-1a2b3c4d5e6f.3"';
  const size = 1000;

  it('answers the whole file without a usable Range', () => {
    for (const range of [undefined, 'bytes=abc', 'items=0-1', 'bytes=0-1,500-600']) {
      expect(answerToRange({ range }, size, etag)).toEqual({ kind: 'whole' });
    }
  });

  it('answers one part for one range, clamped to the file', () => {
    expect(answerToRange({ range: 'bytes=0-99' }, size, etag)).toEqual({ kind: 'part', range: { start: 0, end: 99 } });
    expect(answerToRange({ range: 'bytes=900-' }, size, etag)).toEqual({ kind: 'part', range: { start: 900, end: 999 } });
    expect(answerToRange({ range: 'bytes=-10' }, size, etag)).toEqual({ kind: 'part', range: { start: 990, end: 999 } });
    expect(answerToRange({ range: 'bytes=990-5000' }, size, etag)).toEqual({ kind: 'part', range: { start: 990, end: 999 } });
    // Overlapping ranges are one range once combined.
    expect(answerToRange({ range: 'bytes=0-9,5-19' }, size, etag)).toEqual({ kind: 'part', range: { start: 0, end: 19 } });
  });

  it('answers unsatisfiable when no requested byte exists', () => {
    expect(answerToRange({ range: 'bytes=1000-' }, size, etag)).toEqual({ kind: 'unsatisfiable' });
    expect(answerToRange({ range: 'bytes=5000-6000' }, size, etag)).toEqual({ kind: 'unsatisfiable' });
  });

  it('honours If-Range: a part only while the ETag (even with a coding suffix) still matches', () => {
    expect(answerToRange({ range: 'bytes=0-9', 'if-range': etag }, size, etag).kind).toBe('part');
    expect(answerToRange({ range: 'bytes=0-9', 'if-range': etag.replace(/"$/, '-gzip"') }, size, etag).kind).toBe('part');
    expect(answerToRange({ range: 'bytes=0-9', 'if-range': '"0196f0e4-8a5b-7c3d-9e2f-1a2b3c4d5e6f.2"' }, size, etag)).toEqual({ kind: 'whole' });
    expect(answerToRange({ range: 'bytes=0-9', 'if-range': 'Tue, 01 Dec 2026 00:00:00 GMT' }, size, etag)).toEqual({ kind: 'whole' });
  });
});
