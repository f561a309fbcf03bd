/**
 * A strong ETag names one exact byte sequence, so a compressed body must not carry the ETag
 * of the identity body (RFC 9110 §8.8.3). Like Apache, we append the content coding
 * (`"abc"` → `"abc-gzip"`) when compression applies, and strip it again when a client
 * sends the tag back in If-None-Match or If-Match.
 */
const ENCODING_SUFFIX = /-(br|gzip|deflate)"$/;

export function etagForEncoding(etag: string, encoding: string | undefined): string {
  if (!encoding || encoding === 'identity' || !etag.endsWith('"') || etag.startsWith('W/')) return etag;
  return `${etag.slice(0, -1)}-${encoding}"`;
}

export function withoutEncodingSuffix(tag: string): string {
  return tag.replace(ENCODING_SUFFIX, '"');
}
