/** Every event type Strata emits (PRODUCT.md "Webhooks"). */
export const EVENT_TYPES = [
  'page.created', 'page.updated', 'page.deleted',
  'module.created', 'module.updated', 'module.deleted',
  'media.uploaded', 'media.updated', 'media.deleted',
  'relationship.created', 'relationship.deleted',
  'webhook.ping',
] as const;

const RESOURCES = new Set(EVENT_TYPES.map((type) => type.split('.')[0]));

/** A subscription pattern is `*`, `<resource>.*` or an exact event type. */
export function isEventPattern(pattern: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return RESOURCES.has(pattern.slice(0, -2));
  return (EVENT_TYPES as readonly string[]).includes(pattern);
}

export function matchesEventPatterns(patterns: readonly string[], type: string): boolean {
  return patterns.some((pattern) => pattern === '*' || pattern === type || (pattern.endsWith('.*') && type.startsWith(pattern.slice(0, -1))));
}
