import { Injectable } from '@nestjs/common';
import { cacheKey, CacheService, cacheTag, queryKeyPart } from '@strata/cache';
import { ContentChange, ContentChanges, ContentKind } from './content-changes';
import { RELEVANCE_SORT } from './keyset-list';

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

/** Tags every list and search of a kind: a create or delete may add to, remove from or reorder any of them. */
export function contentListTag(kind: ContentKind): string {
  return cacheTag(kind, 'lists');
}

/** Tags the lists and searches of a kind whose filter, sort or search reads `field` (an entity property). */
export function contentListFieldTag(kind: ContentKind, field: string): string {
  return cacheTag(kind, 'lists', 'by', field);
}

/** What a list query reads of its items, besides the items it shows: what decides which ones and in which order. */
export interface ListReads {
  /** The query's filter values by the entity property each compares (`{ status: query.status, tags: query.tag }`); undefined ones are not applied. */
  filters: Record<string, unknown>;
  /** The sort as asked (`-updatedAt`, `title`), if any. */
  sort?: string;
  /** The search text, if any. */
  q?: string;
  /** Entity properties the search reads (its `search` column and fuzzy column are made of them). */
  searchFields: string[];
  /** The sort without `sort` or `q`. */
  defaultSort: string;
}

/**
 * The tags a list or search of a kind is stored with: the kind's list tag (dropped by every
 * create and delete) and one tag per field that decides which items it holds and their order
 * (dropped by an update setting that field). An update setting only other fields cannot move an
 * item into, out of or within the list; what the listed items show is covered by their item
 * tags, which the load adds (`contentItemTag` of each). `createdAt` never changes and gets none.
 */
export function contentListTags(kind: ContentKind, reads: ListReads): string[] {
  const sort = reads.sort ?? (reads.q ? RELEVANCE_SORT : reads.defaultSort);
  const sortField = sort.replace(/^-/, '');
  const fields = new Set(Object.keys(reads.filters).filter((field) => reads.filters[field] !== undefined));
  if (reads.q) for (const field of reads.searchFields) fields.add(field);
  if (sortField !== RELEVANCE_SORT && sortField !== 'createdAt') fields.add(sortField);
  return [contentListTag(kind), ...[...fields].map((field) => contentListFieldTag(kind, field))];
}

/** What another module's cached reads lose when content changes: dropped in the same step as the content's own. */
export type CommitInvalidation = (committed: ContentChange[]) => { tags?: string[]; keys?: string[] };

/**
 * Once a content write commits: drops what it changed and caches the item's new
 * representation, so the next read of a written item is a hit instead of a load (and an older
 * version racing in never replaces it). What it drops: every entry tagged with the item (its
 * read, the lists that show it), and the lists of its kind that it may have changed: all of them
 * after a create or delete, those reading a field it set after an update. List loads of the kind
 * in flight do not store what they read (they may have read before the commit and not yet
 * tagged the items they found). Other modules' reads that show content (relationships) are
 * dropped in the same call (`alsoDrop`). One call to the cache, so one message to the other
 * instances: a second message per write, on its own, cost each PATCH a Redis write of its own
 * (bench/results/mixed.md).
 */
@Injectable()
export class ContentCacheInvalidation {
  private readonly contributors: CommitInvalidation[] = [];

  constructor(changes: ContentChanges, cache: CacheService) {
    changes.onCommit(async (committed) => {
      const tags = new Set<string>();
      const keys = new Set<string>();
      const listLoads = new Set<string>();
      const latest = new Map<string, ContentChange>();
      for (const change of committed) {
        tags.add(contentItemTag(change.kind, change.id));
        if (change.action === 'updated' && change.fields) for (const field of change.fields) tags.add(contentListFieldTag(change.kind, field));
        else tags.add(contentListTag(change.kind));
        listLoads.add(contentListTag(change.kind));
        latest.set(contentItemKey(change.kind, change.id), change);
      }
      for (const contributor of this.contributors) {
        const dropped = contributor(committed);
        for (const tag of dropped.tags ?? []) tags.add(tag);
        for (const key of dropped.keys ?? []) keys.add(key);
      }
      const written = [...latest]
        .filter(([, change]) => change.action !== 'deleted')
        .map(([key, { kind, id, item }]) => ({ key, value: item as { version: number }, options: { tags: [contentItemTag(kind, id)] } }));
      await cache.replaceAfterWrite([...tags], written, [...listLoads], [...keys]);
    });
  }

  /** Adds what `contributor` names to what every content commit drops. */
  alsoDrop(contributor: CommitInvalidation): void {
    this.contributors.push(contributor);
  }
}
