import type Redis from 'ioredis';
import { decodeValue } from './cache-codec';
import type { CacheEntry } from './cache-entry';
import type { CacheStats } from './cache-stats';
import { CircuitBreaker } from './circuit-breaker';

/** Redis keys of the cache, under the connection's key prefix. */
export const L2_ENTRY_PREFIX = 'cache:e:';
const TAG_PREFIX = 'cache:t:';

/**
 * Writes an entry unless Redis already holds a newer version of it (`value.version`), so two
 * commits whose listeners run out of order cannot leave the older representation cached.
 */
const SET_IF_NEWER_SCRIPT = `
local current = redis.call('get', KEYS[1])
if current then
  local ok, decoded = pcall(cjson.decode, current)
  if ok and type(decoded.value) == 'table' and tonumber(decoded.value.version) and tonumber(decoded.value.version) >= tonumber(ARGV[2]) then
    return 0
  end
end
redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[3])
return 1`;

/** Consecutive Redis failures that open the circuit, and how long it stays open. */
const BREAKER_THRESHOLD = 5;
const BREAKER_OPEN_MS = 5000;

/**
 * The Redis tier. Every call is guarded: while the circuit is open or the connection is not
 * ready it answers "nothing" at once; a failure is counted and never thrown, so the cache can
 * always fall back to L1 and the loader. Tags are Redis sets of entry keys (no KEYS command).
 */
export class L2Store {
  readonly breaker = new CircuitBreaker(BREAKER_THRESHOLD, BREAKER_OPEN_MS);

  constructor(
    readonly redis: Redis,
    private readonly stats: CacheStats,
  ) {}

  get available(): boolean {
    return this.redis.status === 'ready' && this.breaker.state !== 'open';
  }

  async get(key: string): Promise<{ entry: CacheEntry; size: number } | undefined> {
    const text = await this.guard(() => this.redis.get(L2_ENTRY_PREFIX + key));
    if (text == null) return undefined;
    return { entry: decodeValue<CacheEntry>(text), size: Buffer.byteLength(text) };
  }

  /** Writes the entry (expiring when its grace ends) and adds it to its tags' sets. */
  async set(key: string, entry: CacheEntry, encoded: string, now: number): Promise<void> {
    const ttlMs = Math.max(1, Math.ceil(entry.staleUntil - now));
    await this.guard(() => {
      const pipeline = this.redis.multi().set(L2_ENTRY_PREFIX + key, encoded, 'PX', ttlMs);
      // A tag set lives at least as long as its longest entry; stale members are harmless (DEL of a missing key).
      for (const tag of entry.tags)
        pipeline
          .sadd(TAG_PREFIX + tag, key)
          .pexpire(TAG_PREFIX + tag, ttlMs, 'GT')
          .pexpire(TAG_PREFIX + tag, ttlMs, 'NX');
      return pipeline.exec();
    });
  }

  /**
   * `set` for versioned values: 'stored', 'older' (Redis has a newer version) or 'unavailable'.
   * One round trip: the tag sets are added to in the same pipeline whatever the script decides
   * (a newer version holds the same key, and a stale member is harmless).
   */
  async setIfNewer(key: string, entry: CacheEntry<{ version: number }>, encoded: string, now: number): Promise<'stored' | 'older' | 'unavailable'> {
    const ttlMs = Math.max(1, Math.ceil(entry.staleUntil - now));
    const stored = await this.guard(async () => {
      const pipeline = this.redis.pipeline().eval(SET_IF_NEWER_SCRIPT, 1, L2_ENTRY_PREFIX + key, encoded, entry.value.version, ttlMs);
      for (const tag of entry.tags)
        pipeline
          .sadd(TAG_PREFIX + tag, key)
          .pexpire(TAG_PREFIX + tag, ttlMs, 'GT')
          .pexpire(TAG_PREFIX + tag, ttlMs, 'NX');
      return repliesOf(await pipeline.exec())[0];
    });
    if (stored === undefined) return 'unavailable';
    return stored === 0 ? 'older' : 'stored';
  }

  async delete(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.guard(() => this.redis.unlink(...keys.map((key) => L2_ENTRY_PREFIX + key)));
  }

  /** Two round trips whatever the number of tags (a content write drops several): their members, then one UNLINK. */
  async deleteByTag(tags: string[]): Promise<void> {
    if (tags.length === 0) return;
    const members = await this.guard(async () => {
      const pipeline = this.redis.pipeline();
      for (const tag of tags) pipeline.smembers(TAG_PREFIX + tag);
      return repliesOf(await pipeline.exec()) as string[][];
    });
    if (members === undefined) return;
    const keys = members.flat().map((key) => L2_ENTRY_PREFIX + key);
    await this.guard(() => this.redis.unlink(...tags.map((tag) => TAG_PREFIX + tag), ...keys));
  }

  /** SCAN (never KEYS) for entries under `prefix`; SCAN patterns see the full key, so the connection prefix is added. */
  async deleteByPrefix(prefix: string): Promise<void> {
    const connectionPrefix = this.redis.options.keyPrefix ?? '';
    const pattern = `${escapeGlob(connectionPrefix + L2_ENTRY_PREFIX + prefix)}*`;
    await this.scanAndUnlink(pattern, connectionPrefix);
  }

  /** Every cache entry and tag set of this deployment (other data under the prefix is left alone). */
  async flush(): Promise<void> {
    const connectionPrefix = this.redis.options.keyPrefix ?? '';
    await this.scanAndUnlink(`${escapeGlob(connectionPrefix + 'cache:')}*`, connectionPrefix);
  }

  /** Entries in Redis (SCAN, stopping at `cap`); undefined when Redis cannot be asked. */
  async countEntries(cap = 100_000): Promise<number | undefined> {
    const connectionPrefix = this.redis.options.keyPrefix ?? '';
    const pattern = `${escapeGlob(connectionPrefix + L2_ENTRY_PREFIX)}*`;
    let cursor = '0';
    let count = 0;
    do {
      const page = await this.guard(() => this.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000));
      if (page === undefined) return undefined;
      cursor = page[0];
      count += page[1].length;
    } while (cursor !== '0' && count < cap);
    return count;
  }

  /** Runs a Redis call unless the circuit is open; failures count and answer undefined. */
  async guard<T>(call: () => Promise<T>): Promise<T | undefined> {
    if (this.redis.status !== 'ready' || !this.breaker.allows()) return undefined;
    try {
      const result = await call();
      this.breaker.succeeded();
      return result;
    } catch {
      this.breaker.failed();
      this.stats.count('l2Errors');
      return undefined;
    }
  }

  private async scanAndUnlink(pattern: string, connectionPrefix: string): Promise<void> {
    let cursor = '0';
    do {
      const page = await this.guard(() => this.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500));
      if (page === undefined) return;
      cursor = page[0];
      // SCAN answers full keys, but commands add the prefix again: strip it.
      const keys = page[1].map((key) => key.slice(connectionPrefix.length));
      if (keys.length > 0) await this.guard(() => this.redis.unlink(...keys));
    } while (cursor !== '0');
  }
}

/** A pipeline's replies, or its first error thrown (so `guard` counts the failure). */
function repliesOf(results: [Error | null, unknown][] | null): unknown[] {
  if (!results) throw new Error('the pipeline was discarded');
  return results.map(([error, reply]) => {
    if (error) throw error;
    return reply;
  });
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
