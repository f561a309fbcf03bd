import { listedEtags } from '@strata/core';

/**
 * Strong ETags derived from id and version (never by hashing the body): every write bumps
 * `version`, so the pair names exactly one representation.
 */
export function etagFor(id: string, version: number): string {
  return `"${id}.${version}"`;
}

/**
 * If-Match uses strong comparison (RFC 9110 §13.1.1). Answers the version the client
 * expects, `'any'` for `*`, `undefined` when no If-Match was sent, or `null` when none of
 * the listed tags can belong to this resource (a guaranteed 412).
 */
export function expectedVersionFromIfMatch(header: string | undefined, id: string): number | 'any' | null | undefined {
  if (header === undefined) return undefined;
  const tags = listedEtags(header);
  if (tags.includes('*')) return 'any';
  for (const tag of tags) {
    const match = /^"([0-9a-f-]{36})\.(\d{1,9})"$/i.exec(tag);
    if (match && match[1].toLowerCase() === id.toLowerCase()) return Number(match[2]);
  }
  return null;
}
