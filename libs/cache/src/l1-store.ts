import { LRUCache } from 'lru-cache';
import type { CacheEntry } from './cache-entry';

interface L1Slot {
  entry: CacheEntry;
  /** Bytes of the encoded value: what the byte bound counts. */
  size: number;
}

/**
 * The in-process tier: an LRU bounded by entry count and by bytes (lru-cache enforces both on
 * every set; a value larger than the whole byte budget is simply not kept). A tag index lets
 * `deleteByTag` drop entries without scanning.
 */
export class L1Store {
  private readonly lru: LRUCache<string, L1Slot>;
  private readonly keysByTag = new Map<string, Set<string>>();

  constructor(readonly maxEntries: number, readonly maxBytes: number) {
    this.lru = new LRUCache<string, L1Slot>({
      max: maxEntries,
      maxSize: maxBytes,
      maxEntrySize: maxBytes,
      sizeCalculation: (slot) => Math.max(1, slot.size),
      dispose: (slot, key) => this.unindex(key, slot.entry.tags),
    });
  }

  get(key: string): CacheEntry | undefined {
    return this.lru.get(key)?.entry;
  }

  set(key: string, entry: CacheEntry, size: number): void {
    this.lru.set(key, { entry, size });
    // Indexed after the set: replacing an entry disposes the old one, which unindexes its tags.
    if (!this.lru.has(key)) return;
    for (const tag of entry.tags) {
      let keys = this.keysByTag.get(tag);
      if (!keys) this.keysByTag.set(tag, (keys = new Set()));
      keys.add(key);
    }
  }

  delete(key: string): void {
    this.lru.delete(key);
  }

  deleteByTag(tag: string): void {
    const keys = this.keysByTag.get(tag);
    if (!keys) return;
    for (const key of [...keys]) this.lru.delete(key);
    this.keysByTag.delete(tag);
  }

  deleteByPrefix(prefix: string): void {
    for (const key of [...this.lru.keys()]) if (key.startsWith(prefix)) this.lru.delete(key);
  }

  clear(): void {
    this.lru.clear();
    this.keysByTag.clear();
  }

  get entries(): number {
    return this.lru.size;
  }

  get bytes(): number {
    return this.lru.calculatedSize;
  }

  private unindex(key: string, tags: string[]): void {
    for (const tag of tags) {
      const keys = this.keysByTag.get(tag);
      if (!keys) continue;
      keys.delete(key);
      if (keys.size === 0) this.keysByTag.delete(tag);
    }
  }
}
