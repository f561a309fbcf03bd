import { randomUUID } from 'node:crypto';
import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig, MetricsService, RedisConnections, UnreplicatedWrites } from '@strata/core';
import { encodeValue } from './cache-codec';
import { CacheEntry, CacheWriteOptions, isFresh, isServable } from './cache-entry';
import { registerCacheMetrics } from './cache-metrics';
import { CacheStats } from './cache-stats';
import { Invalidation, InvalidationBus } from './invalidation-bus';
import { L1Store } from './l1-store';
import { HeldLock, L2Store } from './l2-store';
import { PendingInvalidations } from './pending-invalidations';
import { RedisLock } from './redis-lock';

/** Redis calls of the cache give up after this long (a slow Redis must not slow reads down). */
const L2_TIMEOUT_MS = 50;
/** How long one instance may hold the load lock of a key (a crashed holder frees it by expiry). */
const LOCK_TTL_MS = 5000;
/** How long other instances wait for the lock holder's value before loading it themselves. */
const LOCK_WAIT_MS = 2000;
const LOCK_POLL_MS = 15;
/**
 * How long this instance remembers what its loads stored. A load that read the database just
 * before another instance's commit may store the old value in Redis just after that instance
 * deleted it, before the bus message arrives here; on that message such recent stores are
 * deleted from Redis again.
 */
const RECENT_STORE_MS = 1000;

/** What a loader can tell the cache while it runs. */
export interface LoadContext {
  /**
   * Adds tags found by the load itself (the neighbours of an item, the nodes of a graph). From
   * this call on, an invalidation of any of them stops the value from being stored, exactly as
   * for the tags given up front, so call it as soon as the query that found them returns.
   */
  addTags: (...tags: string[]) => void;
}

export type Loader<T> = (load: LoadContext) => Promise<T>;

/** A load in flight in this process; an invalidation that touches it stops its result from being cached. */
interface LoadInFlight {
  key: string;
  tags: string[];
  invalidated: boolean;
}

interface RecentStore {
  key: string;
  tags: string[];
  at: number;
}

/** A versioned value on its way to Redis: its entry, and the entry as Redis stores it. */
interface VersionedWrite {
  key: string;
  entry: CacheEntry<{ version: number }>;
  encoded: string;
}

/**
 * The multi-level cache: L1 (in-process LRU) → L2 (Redis) → loader, with stale-while-revalidate,
 * stale-if-error, single-flight per process and a Redis lock across instances, tag invalidation
 * fanned out to every instance's L1, and fallback to L1 + loader whenever Redis is unavailable.
 *
 * Values handed out are shared with later readers: callers must not mutate them.
 */
@Injectable()
export class CacheService implements OnApplicationShutdown {
  private readonly logger = new Logger(CacheService.name);
  readonly stats = new CacheStats();
  readonly l1: L1Store;
  readonly l2: L2Store;
  readonly bus: InvalidationBus;
  /** What Redis did not take yet, retried until it does (see PendingInvalidations). */
  readonly pendingInRedis = new PendingInvalidations(
    (invalidation) => this.tryDeleteInRedis(invalidation, true),
    async (invalidation) => {
      this.applyLocally(invalidation);
      await this.bus.publish(invalidation);
    },
  );
  private readonly lock: RedisLock;
  private readonly inflight = new Map<string, Promise<unknown>>();
  private readonly loading = new Set<LoadInFlight>();
  private recentStores: RecentStore[] = [];
  /** Keys written to Redis just before a lost connection, deleted again once it is back. */
  private readonly unreplicated: UnreplicatedWrites<string>;
  readonly defaultTtlS: number;
  readonly defaultGraceS: number;

  constructor(config: AppConfig, connections: RedisConnections, metrics: MetricsService) {
    this.defaultTtlS = config.cache.defaultTtlS;
    this.defaultGraceS = config.cache.graceS;
    this.l1 = new L1Store(config.cache.l1MaxEntries, config.cache.l1MaxBytes);
    const timeout = Math.min(config.redis.commandTimeoutMs, L2_TIMEOUT_MS);
    this.l2 = new L2Store(connections.create('cache', { commandTimeout: timeout }), this.stats, connections.client);
    this.lock = new RedisLock(this.l2, LOCK_TTL_MS);
    this.unreplicated = new UnreplicatedWrites<string>(this.l2.redis, (keys) => this.pendingInRedis.add({ keys: [...new Set(keys)] }));
    this.bus = new InvalidationBus(
      // Not the L2 connection: its 50 ms timeout gave up on publishes that a busy process had sent
      // but read the reply of too late, and a retry is only worth it with a normal timeout.
      connections.create('cache-bus-publisher'),
      connections.createSubscriber('cache-bus', { autoResubscribe: false }),
      randomUUID(),
      (invalidation) => void this.applyFromPeer(invalidation),
      () => this.applyLocally({ all: true }),
    );
    registerCacheMetrics(metrics.registry, this);
  }

  onApplicationShutdown(): void {
    this.bus.close();
    this.pendingInRedis.close();
  }

  /** The value of `key`: from L1, else L2, else `loader` (once across instances), stored in both. */
  getOrLoad<T>(key: string, loader: Loader<T>, options: CacheWriteOptions = {}): Promise<T> {
    const startedAt = performance.now();
    const now = Date.now();
    const local = this.l1.get(key);
    if (local && isServable(local, now)) {
      this.stats.count('l1Hits');
      if (!isFresh(local, now)) this.serveStale(key, local, loader, options);
      this.stats.time('l1', startedAt);
      return Promise.resolve(local.value as T);
    }
    const pending = this.inflight.get(key);
    if (pending) {
      this.stats.count('coalesced');
      return pending as Promise<T>;
    }
    return this.singleFlight(key, () => this.readThrough(key, loader, options));
  }

  /** The cached value, or undefined; never loads. */
  async get<T>(key: string): Promise<T | undefined> {
    const now = Date.now();
    const local = this.l1.get(key);
    if (local && isServable(local, now)) return local.value as T;
    const remote = await this.l2.get(key);
    if (!remote || !isServable(remote.entry, now)) return undefined;
    this.l1.set(key, remote.entry, remote.size);
    return remote.entry.value as T;
  }

  async set<T>(key: string, value: T, options: CacheWriteOptions = {}): Promise<void> {
    this.markLoads({ keys: [key] });
    await this.store(key, value, options);
    await this.bus.publish({ keys: [key] });
  }

  /**
   * Caches a value that carries a `version` (a content item just written), unless a newer
   * version is already cached; other instances drop their L1 copy and read the new one from Redis.
   */
  async setVersioned<T extends { version: number }>(key: string, value: T, options: CacheWriteOptions = {}): Promise<void> {
    this.markLoads({ keys: [key] });
    await this.storeVersioned(key, value, options);
    await this.bus.publish({ keys: [key] });
  }

  /**
   * What a committed write does to the cache, with one message to the other instances: drops
   * every entry tagged with `tags` (Redis, then this L1), caches the written items' new versions
   * as `setVersioned` does, then tells the peers to drop both. The peers hear of it once the new
   * versions are in Redis, so their next read finds them there instead of loading. Loads in
   * flight tagged with any of `loads` (here and on the peers) do not store what they read.
   * `dropKeys` are dropped as `delete` drops them, in the same step and message.
   */
  async replaceAfterWrite(
    tags: string[],
    items: Array<{ key: string; value: { version: number }; options?: CacheWriteOptions }>,
    loads: string[] = [],
    dropKeys: string[] = [],
  ): Promise<void> {
    const invalidation: Invalidation = { tags, keys: [...items.map((item) => item.key), ...dropKeys], ...(loads.length ? { loads } : {}) };
    this.stats.count('invalidations');
    this.markLoads(invalidation);
    const dropped: Invalidation = dropKeys.length ? { tags, keys: dropKeys } : { tags };
    // The drops and the new versions leave for Redis together (one write on the auto-pipelined
    // connection, executed in order); the items' own keys are left out of the drop, for their
    // version-checked writes to replace. This instance's L1 follows once Redis has answered.
    const now = Date.now();
    const writes = items.map((item) => this.versionedWrite(item.key, item.value, item.options ?? {}, now));
    const [, outcomes] = await Promise.all([
      this.deleteInRedis(
        dropped,
        items.map((item) => item.key),
      ),
      Promise.all(writes.map((write) => this.l2.setIfNewer(write.key, write.entry, write.encoded, now))),
    ]);
    this.applyLocally(dropped);
    writes.forEach((write, index) => this.afterVersionedWrite(write, outcomes[index]));
    await this.bus.publish(invalidation);
  }

  async delete(...keys: string[]): Promise<void> {
    await this.invalidate({ keys });
  }

  async deleteByTag(...tags: string[]): Promise<void> {
    if (tags.length > 0) await this.invalidate({ tags });
  }

  async deleteByPrefix(prefix: string): Promise<void> {
    await this.invalidate({ prefixes: [prefix] });
  }

  async flush(): Promise<void> {
    await this.invalidate({ all: true });
  }

  /** Whether a servable value is cached. */
  async exists(key: string): Promise<boolean> {
    return (await this.get(key)) !== undefined;
  }

  /** Seconds `key` stays fresh; -2 when it is not cached (as Redis' TTL answers). */
  async ttl(key: string): Promise<number> {
    const entry = this.l1.get(key) ?? (await this.l2.get(key))?.entry;
    if (!entry || !isServable(entry, Date.now())) return -2;
    return Math.max(0, Math.ceil((entry.freshUntil - Date.now()) / 1000));
  }

  /** Gives a cached value a new TTL (its grace length is kept); false when it is not cached. */
  async expire(key: string, ttlS: number): Promise<boolean> {
    const entry = this.l1.get(key) ?? (await this.l2.get(key))?.entry;
    if (!entry || !isServable(entry, Date.now())) return false;
    await this.set(key, entry.value, { ttl: ttlS, grace: (entry.staleUntil - entry.freshUntil) / 1000, tags: entry.tags });
    return true;
  }

  /**
   * A counter shared by every instance (Redis INCRBY, expiring `ttlS` after it was created).
   * Without Redis it counts in this process only, so callers degrade instead of failing.
   */
  async incr(key: string, by = 1, ttlS?: number): Promise<number> {
    const counterKey = `cache:n:${key}`;
    const result = await this.l2.guard(() => {
      const pipeline = this.l2.redis.multi().incrby(counterKey, by);
      if (ttlS !== undefined) pipeline.expire(counterKey, ttlS, 'NX');
      return pipeline.exec();
    });
    const shared = result?.[0]?.[1];
    if (typeof shared === 'number') return shared;
    const local = this.l1.get(counterKey);
    const current = local && isServable(local, Date.now()) ? (local.value as number) : 0;
    const next = current + by;
    const until = local?.staleUntil ?? Date.now() + (ttlS ?? this.defaultTtlS) * 1000;
    this.l1.set(counterKey, { value: next, freshUntil: until, staleUntil: until, tags: [] }, 16);
    return next;
  }

  /** Loads the given entries now (whatever is cached) and stores them; answers how many succeeded. */
  async warm(entries: Array<{ key: string; loader: Loader<unknown>; options?: CacheWriteOptions }>): Promise<number> {
    let warmed = 0;
    for (const { key, loader, options } of entries) {
      try {
        await this.loadAndStore(key, loader, options ?? {});
        warmed += 1;
      } catch (error) {
        this.logger.warn(`Warming ${key} failed: ${(error as Error).message}`);
      }
    }
    return warmed;
  }

  /** `ok` when both tiers work; `degraded` when Redis is unavailable (L1 and the loaders still serve). */
  get status(): 'ok' | 'degraded' {
    return this.l2.available && this.bus.subscribed ? 'ok' : 'degraded';
  }

  private singleFlight<T>(key: string, work: () => Promise<T>): Promise<T> {
    const promise = work().finally(() => this.inflight.delete(key));
    this.inflight.set(key, promise);
    return promise;
  }

  private async readThrough<T>(key: string, loader: Loader<T>, options: CacheWriteOptions): Promise<T> {
    const startedAt = performance.now();
    const remote = await this.l2.get(key);
    this.stats.time('l2', startedAt);
    if (remote && isServable(remote.entry, Date.now())) {
      this.stats.count('l2Hits');
      this.l1.set(key, remote.entry, remote.size);
      if (!isFresh(remote.entry, Date.now())) this.serveStale(key, remote.entry, loader, options);
      return remote.entry.value as T;
    }
    this.stats.count('misses');
    return this.loadAcrossInstances(key, loader, options);
  }

  /** One instance takes the key's lock and loads; the others wait for its value, bounded. */
  private async loadAcrossInstances<T>(key: string, loader: Loader<T>, options: CacheWriteOptions): Promise<T> {
    const lock = await this.lock.acquire(key);
    if (!lock.acquired && lock.reason === 'held') {
      const fromPeer = await this.waitForPeer(key);
      if (fromPeer) return fromPeer.value as T;
    }
    return this.loadAndStore(key, loader, options, lock.acquired ? lock : undefined);
  }

  private async waitForPeer(key: string): Promise<CacheEntry | undefined> {
    this.stats.count('lockWaits');
    const deadline = Date.now() + LOCK_WAIT_MS;
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
      const remote = await this.l2.get(key);
      if (remote && isServable(remote.entry, Date.now())) {
        this.l1.set(key, remote.entry, remote.size);
        return remote.entry;
      }
      // The holder is gone without a value (its load failed, or Redis went away): load ourselves.
      if (!this.l2.available || !(await this.l2.guard(() => this.lock.isHeld(key)))) return undefined;
    }
    this.stats.count('lockWaitTimeouts');
    return undefined;
  }

  /** Past its TTL but within grace: served as is, while one background refresh runs. */
  private serveStale<T>(key: string, stale: CacheEntry, loader: Loader<T>, options: CacheWriteOptions): void {
    this.stats.count('staleHits');
    if (this.inflight.has(key)) return;
    void this.singleFlight(key, () => this.refresh(key, stale, loader, options));
  }

  private async refresh<T>(key: string, stale: CacheEntry, loader: Loader<T>, options: CacheWriteOptions): Promise<T> {
    // Another instance may have refreshed it already: then its value, else the lock, in one round trip.
    const claim = await this.lock.acquireUnlessFresh(key, stale.staleUntil - stale.freshUntil, Date.now());
    if ('fresh' in claim) {
      this.l1.set(key, claim.fresh.entry, claim.fresh.size);
      return claim.fresh.entry.value as T;
    }
    if (!claim.acquired && claim.reason === 'held') return stale.value as T;
    try {
      return await this.loadAndStore(key, loader, options, claim.acquired ? claim : undefined);
    } catch {
      // stale-if-error: the stale value keeps being served until its grace ends.
      this.stats.count('staleIfError');
      return stale.value as T;
    }
  }

  /**
   * Runs the loader and stores what it read, unless an invalidation came meanwhile. `lock`, the
   * key's load lock when this instance holds it, is released in any case: with the store, in the
   * same Redis command where Redis allows (a refresh or a miss then costs two round trips to Redis
   * on top of the load's own, where it cost four).
   */
  private async loadAndStore<T>(key: string, loader: Loader<T>, options: CacheWriteOptions, lock?: HeldLock): Promise<T> {
    const tags = [...(options.tags ?? [])];
    const load: LoadInFlight = { key, tags, invalidated: false };
    let unlocked = false;
    this.loading.add(load);
    this.stats.count('loads');
    const startedAt = performance.now();
    try {
      let value: T;
      try {
        value = await loader({ addTags: (...found) => void tags.push(...found) });
      } catch (error) {
        this.stats.count('loadErrors');
        throw error;
      } finally {
        this.stats.time('loader', startedAt);
        this.loading.delete(load);
      }
      if (!load.invalidated && value !== undefined) {
        await this.store(key, value, { ...options, tags }, lock);
        unlocked = true;
        this.rememberStore(load);
      }
      return value;
    } finally {
      if (lock && !unlocked) await this.lock.release(lock);
    }
  }

  private entryOf<T>(value: T, options: CacheWriteOptions, now: number): CacheEntry<T> {
    const ttlMs = (options.ttl ?? this.defaultTtlS) * 1000;
    const graceMs = (options.grace ?? this.defaultGraceS) * 1000;
    return { value, freshUntil: now + ttlMs, staleUntil: now + ttlMs + graceMs, tags: options.tags ?? [] };
  }

  private async storeVersioned<T extends { version: number }>(key: string, value: T, options: CacheWriteOptions): Promise<void> {
    const now = Date.now();
    const write = this.versionedWrite(key, value, options, now);
    this.afterVersionedWrite(write, await this.l2.setIfNewer(key, write.entry, write.encoded, now));
  }

  private versionedWrite(key: string, value: { version: number }, options: CacheWriteOptions, now: number): VersionedWrite {
    const entry = this.entryOf(value, options, now);
    return { key, entry, encoded: encodeValue(entry) };
  }

  /** This instance's side of a versioned write, once Redis has answered it. */
  private afterVersionedWrite({ key, entry, encoded }: VersionedWrite, outcome: 'stored' | 'older' | 'unavailable'): void {
    // Redis may still hold an older version, which every instance would read: it must go.
    if (outcome === 'unavailable') this.pendingInRedis.add({ keys: [key] });
    if (outcome === 'stored') this.unreplicated.wrote(key);
    const local = this.l1.get(key) as CacheEntry<{ version: number }> | undefined;
    if (outcome === 'older' || (local && local.value.version > entry.value.version)) this.l1.delete(key);
    else this.l1.set(key, entry, Buffer.byteLength(encoded));
  }

  /** Both tiers; `unlock`: a load lock Redis releases once it has the entry. */
  private async store<T>(key: string, value: T, options: CacheWriteOptions, unlock?: HeldLock): Promise<void> {
    const now = Date.now();
    const entry = this.entryOf(value, options, now);
    const encoded = encodeValue(entry);
    this.l1.set(key, entry, Buffer.byteLength(encoded));
    await this.l2.set(key, entry, encoded, now, unlock);
    this.unreplicated.wrote(key);
  }

  /** Redis first, then this L1, then every other instance's L1, so no tier refills another with the old value. */
  private async invalidate(invalidation: Invalidation): Promise<void> {
    this.stats.count('invalidations');
    this.markLoads(invalidation);
    await this.deleteInRedis(invalidation);
    this.applyLocally(invalidation);
    await this.bus.publish(invalidation);
  }

  private rememberStore({ key, tags }: LoadInFlight): void {
    const now = Date.now();
    while (this.recentStores.length > 0 && this.recentStores[0].at < now - RECENT_STORE_MS) this.recentStores.shift();
    this.recentStores.push({ key, tags, at: now });
  }

  /** Another instance invalidated: drop our L1 copies, and whatever our loads may have just put back in Redis. */
  private async applyFromPeer(invalidation: Invalidation): Promise<void> {
    this.applyLocally(invalidation);
    const since = Date.now() - RECENT_STORE_MS;
    const suspects = this.recentStores.filter((store) => store.at >= since && matches(invalidation, store.key, store.tags));
    if (suspects.length === 0) return;
    this.recentStores = this.recentStores.filter((store) => !suspects.includes(store));
    const keys = suspects.map((store) => store.key);
    if (!(await this.l2.delete(keys))) this.pendingInRedis.add({ keys });
  }

  /**
   * Deletes in Redis what the invalidation names; what Redis does not take is retried until it
   * does. `keep`: keys a versioned write of the same step replaces (see L2Store.deleteByTag).
   */
  private async deleteInRedis(invalidation: Invalidation, keep: string[] = []): Promise<void> {
    if (!(await this.tryDeleteInRedis(invalidation, false, keep))) this.pendingInRedis.add(invalidation);
  }

  /** The parts of an invalidation are independent: sent together, in one round trip where they can be. */
  private async tryDeleteInRedis({ keys, tags, prefixes, all }: Invalidation, force = false, keep: string[] = []): Promise<boolean> {
    if (all) return this.l2.flush(force);
    const done = await Promise.all([
      keys?.length ? this.l2.delete(keys, force) : true,
      tags?.length ? this.l2.deleteByTag(tags, force, keep) : true,
      ...(prefixes ?? []).map((prefix) => this.l2.deleteByPrefix(prefix, force)),
    ]);
    return done.every(Boolean);
  }

  private applyLocally(invalidation: Invalidation): void {
    this.markLoads(invalidation);
    if (invalidation.all) return this.l1.clear();
    for (const key of invalidation.keys ?? []) this.l1.delete(key);
    for (const tag of invalidation.tags ?? []) this.l1.deleteByTag(tag);
    for (const prefix of invalidation.prefixes ?? []) this.l1.deleteByPrefix(prefix);
  }

  private markLoads(invalidation: Invalidation): void {
    for (const load of this.loading) if (stopsLoad(invalidation, load.key, load.tags)) load.invalidated = true;
  }
}

/** Whether an invalidation drops a cached entry (or a recent store) of `key` with `keyTags`. */
function matches({ keys, tags, prefixes, all }: Invalidation, key: string, keyTags: string[]): boolean {
  return Boolean(all || keys?.includes(key) || tags?.some((tag) => keyTags.includes(tag)) || prefixes?.some((prefix) => key.startsWith(prefix)));
}

/** Whether an invalidation stops a load in flight from storing: what it drops, and its `loads` tags. */
function stopsLoad(invalidation: Invalidation, key: string, loadTags: string[]): boolean {
  return matches(invalidation, key, loadTags) || Boolean(invalidation.loads?.some((tag) => loadTags.includes(tag)));
}
