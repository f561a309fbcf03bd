import { Injectable } from '@nestjs/common';
import { RedisConnections } from '@strata/core';
import { DataSource } from 'typeorm';

export const USAGE_COUNTS_KEY = 'api-keys:usage:count';
export const USAGE_LAST_USED_KEY = 'api-keys:usage:last-used';

/** Takes both hashes and deletes them in one step, so concurrent flushers never count twice. */
const DRAIN_SCRIPT = `
local counts = redis.call('HGETALL', KEYS[1])
local lastUsed = redis.call('HGETALL', KEYS[2])
redis.call('DEL', KEYS[1], KEYS[2])
return { counts, lastUsed }
`;

interface Usage {
  count: number;
  lastUsedAt: number;
}

/**
 * `usageCount` and `lastUsedAt` without one UPDATE per request: uses are summed in process,
 * `publish` adds the sums to shared Redis hashes (one pipeline per interval, not one command
 * per request), and `flush` writes the totals to PostgreSQL in one statement. While Redis is
 * unreachable the sums stay in process and `flush` writes them directly.
 */
@Injectable()
export class UsageCounter {
  private pending = new Map<string, Usage>();

  constructor(
    private readonly redis: RedisConnections,
    private readonly dataSource: DataSource,
  ) {
    this.redis.client.defineCommand('strataDrainUsage', { numberOfKeys: 2, lua: DRAIN_SCRIPT });
  }

  /** Synchronous and in memory: counting must never slow down or fail the request it counts. */
  record(keyId: string, now = Date.now()): void {
    const usage = this.pending.get(keyId);
    if (usage) {
      usage.count += 1;
      usage.lastUsedAt = now;
    } else {
      this.pending.set(keyId, { count: 1, lastUsedAt: now });
    }
  }

  /** Moves this process's sums to Redis, where any worker's flush picks them up. */
  async publish(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    const pipeline = this.redis.client.pipeline();
    for (const [keyId, usage] of batch) {
      pipeline.hincrby(USAGE_COUNTS_KEY, keyId, usage.count).hset(USAGE_LAST_USED_KEY, keyId, usage.lastUsedAt);
    }
    try {
      const results = await pipeline.exec();
      if (!results || results.some(([error]) => error)) throw new Error('usage counts were not all written to Redis');
    } catch {
      // Possibly partly written: counting a use twice is the lesser harm than losing it.
      mergeInto(this.pending, batch);
    }
  }

  /**
   * Writes what this process counted in memory and, when `includeRedis`, what every
   * instance counted in Redis. Totals that cannot be written are kept for the next flush.
   */
  async flush(includeRedis: boolean): Promise<number> {
    const batch = this.pending;
    this.pending = new Map();
    if (includeRedis) {
      try {
        mergeInto(batch, await this.drainRedis());
      } catch {
        // Redis is unreachable: its counts wait there for the next flush.
      }
    }
    if (batch.size === 0) return 0;
    const ids = [...batch.keys()];
    try {
      await this.dataSource.query(
        `UPDATE api_keys k
            SET usage_count = k.usage_count + u.n,
                last_used_at = GREATEST(k.last_used_at, u.t)
           FROM unnest($1::uuid[], $2::bigint[], $3::timestamptz[]) AS u(id, n, t)
          WHERE k.id = u.id`,
        [ids, ids.map((id) => batch.get(id)!.count), ids.map((id) => new Date(batch.get(id)!.lastUsedAt).toISOString())],
      );
    } catch (error) {
      mergeInto(this.pending, batch);
      throw error;
    }
    return batch.size;
  }

  private async drainRedis(): Promise<Map<string, Usage>> {
    const client = this.redis.client as unknown as { strataDrainUsage(countsKey: string, lastUsedKey: string): Promise<[string[], string[]]> };
    const [counts, lastUsed] = await client.strataDrainUsage(USAGE_COUNTS_KEY, USAGE_LAST_USED_KEY);
    const lastUsedById = new Map<string, number>();
    for (let i = 0; i < lastUsed.length; i += 2) lastUsedById.set(lastUsed[i], Number(lastUsed[i + 1]));
    const drained = new Map<string, Usage>();
    for (let i = 0; i < counts.length; i += 2) {
      drained.set(counts[i], { count: Number(counts[i + 1]), lastUsedAt: lastUsedById.get(counts[i]) ?? Date.now() });
    }
    return drained;
  }
}

function mergeInto(target: Map<string, Usage>, source: Map<string, Usage>): void {
  for (const [id, usage] of source) {
    const existing = target.get(id);
    target.set(id, existing ? { count: existing.count + usage.count, lastUsedAt: Math.max(existing.lastUsedAt, usage.lastUsedAt) } : usage);
  }
}
