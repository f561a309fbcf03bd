import { cacheKey, CacheService, cacheTag, queryKeyPart } from '@strata/cache';
import type { ContentRef } from '@strata/content';

/**
 * Tags every cached read that depends on an item's links or shows the item as a neighbour (its
 * relationships, the graphs it is in, single relationships it is an end of). Dropped when a link
 * of the item is created or deleted and when the item itself is updated or deleted.
 */
export function linksTag(ref: ContentRef): string {
  return cacheTag('relationships', ref.type, ref.id);
}

/** Tags every filtered list of relationships: any create or delete may change any of them. */
export const RELATIONSHIP_LISTS_TAG = cacheTag('relationships', 'lists');
/** Tags the registry of relationship types. */
export const RELATIONSHIP_TYPES_TAG = cacheTag('relationships', 'types');
export const RELATIONSHIP_TYPES_KEY = cacheKey('relationships', 'types');

export const relationshipKey = (id: string): string => cacheKey('relationships', 'one', id);
export const relationshipListKey = (query: object): string => cacheKey('relationships', 'list', queryKeyPart(query));
export const itemLinksKey = (ref: ContentRef, query: object): string => cacheKey('relationships', 'item', ref.type, ref.id, queryKeyPart(query));
export const graphKey = (ref: ContentRef, query: object): string => cacheKey('relationships', 'graph', ref.type, ref.id, queryKeyPart(query));

/**
 * `getOrLoad` for reads whose tags depend on what the load found (the neighbours of an item, the
 * nodes of a graph). The cache reads `options.tags` when it stores the loaded value and when it
 * matches invalidations against loads in flight, so the loader adds the tags it finds to that
 * same array (`found(...)`) as soon as its query returns: an invalidation of any of them from
 * then on stops the value from being stored, exactly as for tags known up front.
 */
export function getOrLoadWithFoundTags<T>(
  cache: CacheService,
  key: string,
  knownTags: string[],
  load: (found: (tags: string[]) => void) => Promise<T>,
): Promise<T> {
  const options = { tags: [...knownTags] };
  return cache.getOrLoad(key, () => load((tags) => options.tags.push(...tags)), options);
}
