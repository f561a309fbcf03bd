import { Cluster } from 'ioredis';
import { RedisClient, scanKeys, unlinkKeys } from '@strata/core';
import { decodeValue } from './cache-codec';
import type { CacheEntry } from './cache-entry';
import type { CacheStats } from './cache-stats';
import { CircuitBreaker } from './circuit-breaker';

/** Redis keys of the cache, under the connection's key prefix. */
export const L2_ENTRY_PREFIX = 'cache:e:';
const TAG_PREFIX = 'cache:t:';

/** A load lock held: its Redis key (under the connection's prefix, as every key here) and its token. */
export interface HeldLock {
  key: string;
  token: string;
}

/**
 * The tag-set step of the scripts below, as `addToTags` does it with commands of its own: each
 * set from KEYS[firstTag] on holds the entry (ARGV[4], the member) and lives at least as long as
 * it (ARGV[3], its TTL in ms). The scripts set `firstTag` and keep those two arguments in place.
 */
const ADD_TO_TAG_SETS = `
for i = firstTag, #KEYS do
  redis.call('sadd', KEYS[i], ARGV[4])
  redis.call('pexpire', KEYS[i], ARGV[3], 'GT')
  redis.call('pexpire', KEYS[i], ARGV[3], 'NX')
end`;

/**
 * Writes an entry unless Redis already holds a newer version of it (`value.version`), so two
 * commits whose listeners run out of order cannot leave the older representation cached.
 * KEYS[1]: the entry; KEYS[2..]: its tag sets, where they live on the same node (see
 * `setIfNewer`), added to whatever the version check decides.
 * ARGV: the encoded entry, its version, its TTL in ms, the member the tag sets hold.
 */
const SET_IF_NEWER_SCRIPT = `
local firstTag = 2
${ADD_TO_TAG_SETS}
local current = redis.call('get', KEYS[1])
if current then
  local ok, decoded = pcall(cjson.decode, current)
  if ok and type(decoded.value) == 'table' and tonumber(decoded.value.version) and tonumber(decoded.value.version) >= tonumber(ARGV[2]) then
    return 0
  end
end
redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[3])
return 1`;

/**
 * `set` on a single node, in one command: the entry, its tag sets, and, when ARGV[2] is a token,
 * the load lock of KEYS[2] released if it still holds that token (as `unlock` does). KEYS[1]: the
 * entry; KEYS[2]: the lock when there is one; the rest: tag sets. ARGV: the encoded entry, the
 * token or '', its TTL in ms, the member the tag sets hold.
 */
const SET_SCRIPT = `
local firstTag = 2
if ARGV[2] ~= '' then
  firstTag = 3
end
redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[3])
${ADD_TO_TAG_SETS}
if ARGV[2] ~= '' and redis.call('get', KEYS[2]) == ARGV[2] then
  redis.call('del', KEYS[2])
end
return 1`;

/** Deletes a load lock only if it still holds our token: an expired lock re-taken by another instance stays theirs. */
const UNLOCK_SCRIPT = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * A stale entry's refresh, first step, in one command on a single node: the entry as another
 * instance may just have refreshed it (its remaining life, PTTL, is past the grace it keeps after
 * its TTL: it is fresh again), else the load lock taken. KEYS: the entry, the lock. ARGV: the
 * lock's token and TTL in ms, the entry's grace in ms. Answers {entry or false, 1 if locked}.
 */
const FRESH_OR_LOCK_SCRIPT = `
if redis.call('pttl', KEYS[1]) > tonumber(ARGV[3]) then
  return {redis.call('get', KEYS[1]), 0}
end
if redis.call('set', KEYS[2], ARGV[1], 'PX', ARGV[2], 'NX') then
  return {false, 1}
end
return {false, 0}`;

/**
 * `deleteByTag` in one round trip where every key lives on one node (single Redis, Sentinel).
 * KEYS: the tag sets. ARGV[1]: the prefix of entry keys as stored (members are entry keys
 * without it); ARGV[2..]: entry keys to keep (see `deleteByTag`). Every other member's entry is
 * unlinked; a set holding a kept key loses only the others, any other set goes.
 */
const DROP_TAGGED_SCRIPT = `
local keep = {}
for i = 2, #ARGV do keep[ARGV[i]] = true end
local function inBatches(command, key, items, prefix)
  for first = 1, #items, 500 do
    local batch = {}
    for i = first, math.min(first + 499, #items) do batch[#batch + 1] = prefix .. items[i] end
    if key then redis.call(command, key, unpack(batch)) else redis.call(command, unpack(batch)) end
  end
end
for _, tag in ipairs(KEYS) do
  local dropped, kept = {}, false
  for _, member in ipairs(redis.call('smembers', tag)) do
    if keep[member] then kept = true else dropped[#dropped + 1] = member end
  end
  inBatches('unlink', nil, dropped, ARGV[1])
  if not kept then redis.call('unlink', tag) elseif #dropped > 0 then inBatches('srem', tag, dropped, '') end
end
return 1`;

/** Consecutive Redis failures that open the circuit, and how long it stays open. */
const BREAKER_THRESHOLD = 5;
const BREAKER_OPEN_MS = 5000;

/**
 * The Redis tier. Every call is guarded: while the circuit is open or the connection is not
 * ready it answers "nothing" at once; a failure is counted and never thrown, so the cache can
 * always fall back to L1 and the loader. Tags are Redis sets of entry keys (no KEYS command).
 *
 * An entry and its tag sets hash to different slots on a Redis Cluster, so there no command or
 * MULTI spans two keys: the entry and each tag set are written by commands of their own. That
 * they are not one transaction is covered by the cache's recent-store check (an invalidation
 * that runs between the two finds the store in CacheService.recentStores and deletes it again).
 * On a single node (or Sentinel) a content write's steps run as scripts over the entry and its
 * sets, one command each: every command is a socket write to Redis, which on a machine shared
 * with it costs more CPU than the command (bench/results/mixed.md).
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

  /**
   * Writes the entry (expiring when its grace ends) and adds it to its tags' sets; with `unlock`,
   * then releases that load lock. One command on a single node (each command a process sends
   * is a socket write, the cost that counts on a machine shared with Redis: bench/results/mixed.md);
   * on a Cluster, where the entry, its sets and the lock live in different slots, commands of
   * their own, the lock released once the entry is written (a waiter that saw the lock gone
   * before the value would load it again).
   */
  async set(key: string, entry: CacheEntry, encoded: string, now: number, unlock?: HeldLock): Promise<void> {
    const ttlMs = Math.max(1, Math.ceil(entry.staleUntil - now));
    if (!(this.redis instanceof Cluster)) {
      const lockKeys = unlock ? [unlock.key] : [];
      const tagKeys = entry.tags.map((tag) => TAG_PREFIX + tag);
      const keys = [L2_ENTRY_PREFIX + key, ...lockKeys, ...tagKeys];
      await this.guard(() => this.redis.eval(SET_SCRIPT, keys.length, ...keys, encoded, unlock?.token ?? '', ttlMs, key));
      return;
    }
    await this.guard(() => Promise.all([this.redis.set(L2_ENTRY_PREFIX + key, encoded, 'PX', ttlMs), ...this.addToTags(key, entry.tags, ttlMs)]));
    if (unlock) await this.unlock(unlock);
  }

  /** Releases a load lock if it still holds its token. */
  async unlock({ key, token }: HeldLock): Promise<void> {
    await this.guard(() => this.redis.eval(UNLOCK_SCRIPT, 1, key, token));
  }

  /**
   * For the refresh of a stale entry: the entry if another instance has made it fresh again,
   * else whether `lock` was taken (undefined when Redis cannot be asked). One command on a single
   * node; on a Cluster, where the two keys live in different slots, a GET and then a SET NX.
   */
  async freshOrLock(
    key: string,
    lock: HeldLock & { ttlMs: number },
    graceMs: number,
  ): Promise<{ fresh?: { entry: CacheEntry; size: number }; locked: boolean } | undefined> {
    if (this.redis instanceof Cluster) {
      const remote = await this.get(key);
      if (remote && remote.entry.freshUntil > Date.now()) return { fresh: remote, locked: false };
      const taken = await this.guard(() => this.redis.set(lock.key, lock.token, 'PX', lock.ttlMs, 'NX'));
      return taken === undefined ? undefined : { locked: taken === 'OK' };
    }
    const answer = (await this.guard(() =>
      this.redis.eval(FRESH_OR_LOCK_SCRIPT, 2, L2_ENTRY_PREFIX + key, lock.key, lock.token, lock.ttlMs, Math.floor(graceMs)),
    )) as [string | null, number] | undefined;
    if (answer === undefined) return undefined;
    const [text, locked] = answer;
    return text ? { fresh: { entry: decodeValue<CacheEntry>(text), size: Buffer.byteLength(text) }, locked: false } : { locked: locked === 1 };
  }

  /**
   * `set` for versioned values: 'stored', 'older' (Redis has a newer version) or 'unavailable'.
   * One round trip: the tag sets are added to at the same time whatever the script decides
   * (a newer version holds the same key, and a stale member is harmless).
   */
  async setIfNewer(key: string, entry: CacheEntry<{ version: number }>, encoded: string, now: number): Promise<'stored' | 'older' | 'unavailable'> {
    const ttlMs = Math.max(1, Math.ceil(entry.staleUntil - now));
    // One script with the tag sets on a single node (one command on the wire, where a MULTI would
    // leave in a write of its own); on a Cluster the sets live in other slots: commands of their own.
    const sameNode = !(this.redis instanceof Cluster);
    const tagKeys = sameNode ? entry.tags.map((tag) => TAG_PREFIX + tag) : [];
    const [stored] = (await this.guard(() =>
      Promise.all([
        this.redis.eval(SET_IF_NEWER_SCRIPT, 1 + tagKeys.length, L2_ENTRY_PREFIX + key, ...tagKeys, encoded, entry.value.version, ttlMs, key),
        ...(sameNode ? [] : this.addToTags(key, entry.tags, ttlMs)),
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

  /**
   * Drops every entry tagged with one of `tags`, and the tag sets. One script on a single node;
   * on a Cluster, where the sets and entries live in different slots, two round trips whatever
   * the number of tags (their members, then the deletions).
   *
   * `keep`: entry keys the caller writes in the same step with `setIfNewer` (a content write's own
   * item), sent without waiting for this: they are left for that write to replace, so a peer's
   * newer version stored just before is not deleted and then replaced by an older one, and a set
   * that holds one keeps it (loses only its other members), so the write's own SADD, which may
   * reach Redis first, is not undone. A caller whose write fails deletes those keys itself.
   */
  async deleteByTag(tags: string[], force = false, keep: string[] = []): Promise<boolean> {
    if (tags.length === 0) return true;
    const connection = force ? this.bulk : this.redis;
    const tagKeys = tags.map((tag) => TAG_PREFIX + tag);
    if (!(connection instanceof Cluster)) {
      const done = await this.guard(
        () => connection.eval(DROP_TAGGED_SCRIPT, tagKeys.length, ...tagKeys, this.connectionPrefix + L2_ENTRY_PREFIX, ...keep),
        force,
      );
      return done !== undefined;
    }
    // Sent together, so still one round trip, but not one pipeline: tag sets live in different slots on a Cluster.
    const members = await this.guard(() => Promise.all(tagKeys.map((tagKey) => connection.smembers(tagKey))), force);
    if (members === undefined) return false;
    const kept = new Set(keep);
    const unlinked: string[] = [];
    const trimmed: Array<[tagKey: string, members: string[]]> = [];
    tagKeys.forEach((tagKey, index) => {
      const dropped = members[index].filter((key) => !kept.has(key));
      unlinked.push(...dropped.map((key) => L2_ENTRY_PREFIX + key));
      if (dropped.length === members[index].length) unlinked.push(tagKey);
      else if (dropped.length > 0) trimmed.push([tagKey, dropped]);
    });
    const deleted = await this.guard(
      () => Promise.all([unlinkKeys(connection, unlinked), ...trimmed.map(([tagKey, dropped]) => connection.srem(tagKey, ...dropped))]),
      force,
    );
    return deleted !== undefined;
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
