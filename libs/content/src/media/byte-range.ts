import parseRange from 'range-parser';
import { withoutEncodingSuffix } from '@strata/core';

/** An inclusive byte range of a stored file. */
export interface ByteRange {
  start: number;
  end: number;
}

export type RangeAnswer = { kind: 'whole' } | { kind: 'part'; range: ByteRange } | { kind: 'unsatisfiable' };

/**
 * What a download should answer to its Range and If-Range headers (RFC 9110 §14): the whole file
 * (no Range, a malformed one, an If-Range that no longer matches, or several ranges, which we
 * do not combine into multipart/byteranges: a server may always answer 200 instead), one part
 * (206), or 416 when no requested byte exists. Parsing is range-parser's (as in `send`).
 */
export function answerToRange(headers: { range?: string; 'if-range'?: string }, size: number, etag: string): RangeAnswer {
  const { range } = headers;
  if (!range) return { kind: 'whole' };
  // If-Range may hold an entity tag or a date; we only vouch for our strong ETag.
  const ifRange = headers['if-range'];
  if (ifRange !== undefined && withoutEncodingSuffix(ifRange.trim()) !== etag) return { kind: 'whole' };
  const ranges = parseRange(size, range, { combine: true });
  if (ranges === -1) return { kind: 'unsatisfiable' };
  if (ranges === -2 || ranges.type !== 'bytes' || ranges.length !== 1) return { kind: 'whole' };
  return { kind: 'part', range: { start: ranges[0].start, end: ranges[0].end } };
}
