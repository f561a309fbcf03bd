/** A cached value with its timing: fresh until `freshUntil`, then servable stale until `staleUntil` (epoch ms). */
export interface CacheEntry<T = unknown> {
  value: T;
  freshUntil: number;
  staleUntil: number;
  tags: string[];
}

export interface CacheWriteOptions {
  /** Seconds the value is fresh (fractions allowed); the configured default when left out. */
  ttl?: number;
  /** Seconds past the TTL it may still be served stale; the configured default when left out. */
  grace?: number;
  /** Groups the entry belongs to, for `deleteByTag`. Build them with `cacheTag`. */
  tags?: string[];
}

export function isFresh(entry: CacheEntry, now: number): boolean {
  return now < entry.freshUntil;
}

export function isServable(entry: CacheEntry, now: number): boolean {
  return now < entry.staleUntil;
}
