/**
 * Cache keys and tags are built here and nowhere else: every part that may come from a user
 * is percent-encoded, so no input can forge a separator and reach another namespace's keys.
 */
const SEPARATOR = ':';

function encodePart(part: string | number): string {
  return encodeURIComponent(String(part));
}

/** `cacheKey('page', id)` → `page:<id>`; the namespace is ours, every other part is encoded. */
export function cacheKey(namespace: string, ...parts: Array<string | number>): string {
  return [namespace, ...parts.map(encodePart)].join(SEPARATOR);
}

/** A tag names a group of entries dropped together (`cacheTag('page', id)`, `cacheTag('pages', 'lists')`). */
export function cacheTag(namespace: string, ...parts: Array<string | number>): string {
  return cacheKey(namespace, ...parts);
}

/**
 * A key for a query object: its defined fields sorted by name, so the same query in any field
 * order (and with undefined fields left out) names the same entry.
 */
export function queryKeyPart(query: object): string {
  const entries = Object.entries(query)
    .filter(([, value]) => value !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(entries);
}
