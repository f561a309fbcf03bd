import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { RedisConnections } from '@strata/core';
import type Redis from 'ioredis';
import type { ApiKeyPrincipal } from './api-key-principal';

/** Keys remembered per instance; the least recently used is dropped beyond this. */
const MAX_ENTRIES = 10_000;
/** A safety net only: invalidation messages normally drop an entry long before this. */
const ENTRY_TTL_MS = 60_000;

/** A hit moves its entry to the most recent end at most this often (moving it on every hit was measurable). */
const RECENCY_REFRESH_MS = 1_000;

interface Entry {
  principal: ApiKeyPrincipal;
  cachedAt: number;
  touchedAt: number;
}

/**
 * Valid keys by hash (and by `id:<keyId>` for sessions, see ApiKeyAuthenticator.authenticateById),
 * in process, so the hot path costs no database round trip. Every change
 * to a key is published on a Redis channel and drops that key's entries on every instance.
 * While this instance's subscription is not live it could miss such a message, so the cache
 * is then bypassed (every lookup goes to the database) and emptied when the subscription is back.
 */
@Injectable()
export class KeyLookupCache implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('KeyLookupCache');
  private readonly entries = new Map<string, Entry>();
  private readonly channel: string;
  private subscriber: Redis;
  private subscribed = false;

  constructor(private readonly redis: RedisConnections) {
    // Pub/sub channels are not covered by ioredis' keyPrefix, so the prefix is added here.
    this.channel = `${redis.keyPrefix}api-keys:invalidate`;
  }

  onModuleInit(): void {
    this.subscriber = this.redis.createSubscriber('api-key-invalidation');
    this.subscriber.on('message', (_channel: string, keyId: string) => this.drop(keyId));
    this.subscriber.on('close', () => {
      this.subscribed = false;
    });
    this.subscriber.on('ready', () => {
      this.subscriber.subscribe(this.channel).then(
        () => {
          this.entries.clear();
          this.subscribed = true;
        },
        () => undefined,
      );
    });
  }

  private get live(): boolean {
    return this.subscribed && this.subscriber.status === 'ready';
  }

  get(hash: string, now = Date.now()): ApiKeyPrincipal | undefined {
    if (!this.live) return undefined;
    const entry = this.entries.get(hash);
    if (!entry) return undefined;
    if (now - entry.cachedAt > ENTRY_TTL_MS) {
      this.entries.delete(hash);
      return undefined;
    }
    if (now - entry.touchedAt > RECENCY_REFRESH_MS) {
      this.entries.delete(hash);
      this.entries.set(hash, entry);
      entry.touchedAt = now;
    }
    return entry.principal;
  }

  set(hash: string, principal: ApiKeyPrincipal): void {
    if (!this.live) return;
    this.entries.delete(hash);
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
    const now = Date.now();
    this.entries.set(hash, { principal, cachedAt: now, touchedAt: now });
  }

  /** Drops the key here and tells every other instance to drop it too. */
  async invalidate(keyId: string): Promise<void> {
    this.drop(keyId);
    try {
      await this.redis.client.publish(this.channel, keyId);
    } catch (error) {
      // Other instances cannot have a live subscription either while Redis is unreachable,
      // so they bypass their caches; nothing stale is served.
      this.logger.warn(`Could not publish the invalidation of key ${keyId}: ${(error as Error).message}`);
    }
  }

  private drop(keyId: string): void {
    for (const [hash, entry] of this.entries) {
      if (entry.principal.keyId === keyId) this.entries.delete(hash);
    }
  }

  onApplicationShutdown(): void {
    this.entries.clear();
  }
}
