import { Injectable } from '@nestjs/common';
import { cacheKey, CacheService, cacheTag, queryKeyPart } from '@strata/cache';
import { ContentChange, ContentChanges, ContentKind } from './content-changes';

/** The cache key of one content item's API representation. */
export function contentItemKey(kind: ContentKind, id: string): string {
  return cacheKey('content', kind, id);
}

/** The cache key of one list or search of a kind: the query, normalized. */
export function contentListKey(kind: ContentKind, query: object): string {
  return cacheKey('content', kind, 'list', queryKeyPart(query));
}

/** Tags every entry derived from this item (its own read; other modules' entries that embed it). */
export function contentItemTag(kind: ContentKind, id: string): string {
  return cacheTag(kind, id);
}

/** Tags every list and search of a kind: any write may add to, remove from or reorder any of them. */
export function contentListTag(kind: ContentKind): string {
  return cacheTag(kind, 'lists');
}

/**
 * Once a content write commits: drops what it changed (every entry tagged with the item, the
 * lists of its kind) and caches the item's new representation, so the next read of a written
 * item is a hit instead of a load (and an older version racing in never replaces it). One call
 * to the cache, so one message to the other instances per commit.
 */
@Injectable()
export class ContentCacheInvalidation {
  constructor(changes: ContentChanges, cache: CacheService) {
    changes.onCommit(async (committed) => {
      const tags = new Set<string>();
      const latest = new Map<string, ContentChange>();
      for (const change of committed) {
        tags.add(contentItemTag(change.kind, change.id)).add(contentListTag(change.kind));
        latest.set(contentItemKey(change.kind, change.id), change);
      }
      const written = [...latest]
        .filter(([, change]) => change.action !== 'deleted')
        .map(([key, { kind, id, item }]) => ({ key, value: item as { version: number }, options: { tags: [contentItemTag(kind, id)] } }));
      await cache.replaceAfterWrite([...tags], written);
    });
  }
}
