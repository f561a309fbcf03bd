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
 * What a change of links or of linked items drops: the reads of every item whose links or title
 * changed and, when links were created or deleted (`removedIds` of deleted ones), every
 * filtered list.
 */
export function relationshipReadsToDrop(items: ContentRef[], change: { linksChanged: boolean; removedIds?: string[] }): { tags: string[]; keys: string[] } {
  const keys = (change.removedIds ?? []).map(relationshipKey);
  const tags = [...new Set(items.map(linksTag))];
  if (change.linksChanged) tags.push(RELATIONSHIP_LISTS_TAG);
  return { tags, keys };
}

/** After a commit that changed links, drops `relationshipReadsToDrop`. Never before the commit: a read in between would cache the old state again. */
export async function dropRelationshipReads(cache: CacheService, items: ContentRef[], change: { linksChanged: boolean; removedIds?: string[] }): Promise<void> {
  const { tags, keys } = relationshipReadsToDrop(items, change);
  if (keys.length) await cache.delete(...keys);
  if (tags.length) await cache.deleteByTag(...tags);
}
