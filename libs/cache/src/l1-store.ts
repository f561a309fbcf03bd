import { LRUCache } from 'lru-cache';
import type { CacheEntry } from './cache-entry';

/** A cached value, with the bytes of its encoded form: what the byte bound counts. */
interface ValueSlot {
  entry: CacheEntry;
  size: number;
}

/** Bytes derived from cached values (a compressed representation), kept under the same bounds. */
interface BytesSlot {
  bytes: Buffer;
  size: number;
}

type L1Slot = ValueSlot | BytesSlot;

/** Keys of byte slots start with a character no cache key has (cacheKey encodes every part). */
const BYTES_KEY_PREFIX = '\u0000';

/**
 * The in-process tier: an LRU bounded by entry count and by bytes (lru-cache enforces both on
 * every set; a value larger than the whole byte budget is simply not kept). A tag index lets
 * `deleteByTag` drop entries without scanning. Derived bytes (`setBytes`) share the LRU and
 * its bounds with the values, so the two together never exceed CACHE_L1_MAX_ENTRIES/BYTES.
 */
export class L1Store {
  private readonly lru: LRUCache<string, L1Slot>;
  private readonly keysByTag = new Map<string, Set<string>>();

  constructor(
    readonly maxEntries: number,
    readonly maxBytes: number,
  ) {
    this.lru = new LRUCache<string, L1Slot>({
      max: maxEntries,
      maxSize: maxBytes,
      maxEntrySize: maxBytes,
      sizeCalculation: (slot) => Math.max(1, slot.size),
      dispose: (slot, key) => {
        if ('entry' in slot) this.unindex(key, slot.entry.tags);
      },
    });
  }

  get(key: string): CacheEntry | undefined {
    const slot = this.lru.get(key);
    return slot && 'entry' in slot ? slot.entry : undefined;
  }

  getBytes(key: string): Buffer | undefined {
    const slot = this.lru.get(BYTES_KEY_PREFIX + key);
    return slot && 'bytes' in slot ? slot.bytes : undefined;
  }

  setBytes(key: string, bytes: Buffer): void {
    this.lru.set(BYTES_KEY_PREFIX + key, { bytes, size: bytes.length });
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
    // Byte slots are named by what they hold (a representation's strong ETag), not by cache key.
    for (const key of [...this.lru.keys()]) if (key.startsWith(prefix) && !key.startsWith(BYTES_KEY_PREFIX)) this.lru.delete(key);
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
