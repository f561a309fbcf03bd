import { RedisClient, scanKeys, unlinkKeys } from '@strata/core';
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
 *
 * An entry and its tag sets hash to different slots on a Redis Cluster, so no command or MULTI
 * here spans two keys: the entry and each tag set are written by commands of their own. That
 * they are not one transaction is covered by the cache's recent-store check (an invalidation
 * that runs between the two finds the store in CacheService.recentStores and deletes it again).
 */
export class L2Store {
  readonly breaker = new CircuitBreaker(BREAKER_THRESHOLD, BREAKER_OPEN_MS);

  /**
   * `redis` serves reads and writes with the cache's short timeout; `bulk`, with the ordinary
   * one, serves SCANs and the UNLINKs of what they find (a page of keys is not a 50 ms job on a
   * busy Redis, and a flush that gave up halfway would leave entries behind).
   */
  constructor(
    readonly redis: RedisClient,
    private readonly stats: CacheStats,
    private readonly bulk: RedisClient = redis,
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
    await this.guard(() => Promise.all([this.redis.set(L2_ENTRY_PREFIX + key, encoded, 'PX', ttlMs), ...this.addToTags(key, entry.tags, ttlMs)]));
  }

  /**
   * `set` for versioned values: 'stored', 'older' (Redis has a newer version) or 'unavailable'.
   * One round trip: the tag sets are added to at the same time whatever the script decides
   * (a newer version holds the same key, and a stale member is harmless).
   */
  async setIfNewer(key: string, entry: CacheEntry<{ version: number }>, encoded: string, now: number): Promise<'stored' | 'older' | 'unavailable'> {
    const ttlMs = Math.max(1, Math.ceil(entry.staleUntil - now));
    const [stored] = (await this.guard(() =>
      Promise.all([
        this.redis.eval(SET_IF_NEWER_SCRIPT, 1, L2_ENTRY_PREFIX + key, encoded, entry.value.version, ttlMs),
        ...this.addToTags(key, entry.tags, ttlMs),
      ]),
    )) ?? [undefined];
    if (stored === undefined) return 'unavailable';
    return stored === 0 ? 'older' : 'stored';
  }

  /**
   * The deletions below answer whether Redis took them all (CacheService retries the ones it did
   * not). `force` (a retry) goes past an open circuit, since other instances may read what it is
   * meant to delete meanwhile, and waits the ordinary timeout: a retry carries a whole backlog,
   * and a master just promoted is busy syncing its replicas, where the cache's 50 ms cut retries
   * off again and again.
   */
  async delete(keys: string[], force = false): Promise<boolean> {
    if (keys.length === 0) return true;
    const connection = force ? this.bulk : this.redis;
    const removed = await this.guard(
      () =>
        unlinkKeys(
          connection,
          keys.map((key) => L2_ENTRY_PREFIX + key),
        ),
      force,
    );
    return removed !== undefined;
  }

  /** Two round trips whatever the number of tags (a content write drops several): their members, then one UNLINK. */
  async deleteByTag(tags: string[], force = false): Promise<boolean> {
    if (tags.length === 0) return true;
    const connection = force ? this.bulk : this.redis;
    // Sent together, so still one round trip, but not one pipeline: tag sets live in different slots on a Cluster.
    const members = await this.guard(() => Promise.all(tags.map((tag) => connection.smembers(TAG_PREFIX + tag))), force);
    if (members === undefined) return false;
    const keys = members.flat().map((key) => L2_ENTRY_PREFIX + key);
    return (await this.guard(() => unlinkKeys(connection, [...tags.map((tag) => TAG_PREFIX + tag), ...keys]), force)) !== undefined;
  }

  /** SCAN (never KEYS) for entries under `prefix`; SCAN patterns see the full key, so the connection prefix is added. */
  async deleteByPrefix(prefix: string, force = false): Promise<boolean> {
    return this.scanAndUnlink(`${escapeGlob(this.connectionPrefix + L2_ENTRY_PREFIX + prefix)}*`, force);
  }

  /** Every cache entry and tag set of this deployment (other data under the prefix is left alone). */
  async flush(force = false): Promise<boolean> {
    return this.scanAndUnlink(`${escapeGlob(this.connectionPrefix + 'cache:')}*`, force);
  }

  /** Entries in Redis (SCAN of every master, stopping at `cap`); undefined when Redis cannot be asked. */
  async countEntries(cap = 100_000): Promise<number | undefined> {
    const pattern = `${escapeGlob(this.connectionPrefix + L2_ENTRY_PREFIX)}*`;
    return this.guard(async () => {
      let count = 0;
      for await (const keys of scanKeys(this.bulk, pattern, 1000)) {
        count += keys.length;
        if (count >= cap) break;
      }
      return count;
    });
  }

  /** Runs a Redis call unless the circuit is open (or `force`); failures count and answer undefined. */
  async guard<T>(call: () => Promise<T>, force = false): Promise<T | undefined> {
    if (this.redis.status !== 'ready' || !(force || this.breaker.allows())) return undefined;
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

  private get connectionPrefix(): string {
    return this.redis.options.keyPrefix ?? '';
  }

  /** One SCAN page at a time on every master, each page unlinked before the next is asked for. */
  private async scanAndUnlink(pattern: string, force: boolean): Promise<boolean> {
    const done = await this.guard(async () => {
      for await (const page of scanKeys(this.bulk, pattern)) {
        // SCAN answers full keys, but commands add the prefix again: strip it.
        await unlinkKeys(
          this.bulk,
          page.map((key) => key.slice(this.connectionPrefix.length)),
        );
      }
      return true;
    }, force);
    return done === true;
  }

  /** Notes `key` in each tag's set; a tag set lives at least as long as its longest entry (stale members are harmless). */
  private addToTags(key: string, tags: string[], ttlMs: number): Promise<unknown>[] {
    return tags.map((tag) =>
      this.redis
        .multi()
        .sadd(TAG_PREFIX + tag, key)
        .pexpire(TAG_PREFIX + tag, ttlMs, 'GT')
        .pexpire(TAG_PREFIX + tag, ttlMs, 'NX')
        .exec(),
    );
  }
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
