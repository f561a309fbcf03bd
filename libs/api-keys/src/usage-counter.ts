import { Injectable } from '@nestjs/common';
import { RedisConnections } from '@strata/core';
import { DataSource } from 'typeorm';
import { Counts, RedisBatchedCounts } from './redis-batched-counts';

/** Both counters keep one bucket: the totals since the last flush. */
const SINCE_LAST_FLUSH = 'pending';

/**
 * `usageCount` and `lastUsedAt` without one UPDATE per request: uses are summed and the latest
 * use kept per key, in process, then in Redis, then written to `api_keys` in one statement
 * per flush (see RedisBatchedCounts).
 */
@Injectable()
export class UsageCounter {
  private readonly uses: RedisBatchedCounts;
  private readonly lastUsed: RedisBatchedCounts;

  constructor(
    redis: RedisConnections,
    private readonly dataSource: DataSource,
  ) {
    this.uses = new RedisBatchedCounts(redis, { buckets: 'api-keys:usage:{uses}:buckets', bucket: (name) => `api-keys:usage:{uses}:${name}` });
    this.lastUsed = new RedisBatchedCounts(
      redis,
      { buckets: 'api-keys:usage:{last-used}:buckets', bucket: (name) => `api-keys:usage:{last-used}:${name}` },
      'max',
    );
  }

  record(keyId: string, now = Date.now()): void {
    this.uses.record(SINCE_LAST_FLUSH, keyId);
    this.lastUsed.record(SINCE_LAST_FLUSH, keyId, now);
  }

  async publish(): Promise<void> {
    await Promise.all([this.uses.publish(), this.lastUsed.publish()]);
  }

  /** Writes this process's totals and, when `includeRedis`, every instance's; kept for the next flush when the write fails. */
  async flush(includeRedis: boolean): Promise<number> {
    const uses = await this.uses.take(includeRedis);
    const lastUsed = await this.lastUsed.take(includeRedis);
    const usesById = byField(uses);
    const lastUsedById = byField(lastUsed);
    const ids = [...new Set([...usesById.keys(), ...lastUsedById.keys()])];
    if (ids.length === 0) return 0;
    try {
      // A use drained before its time was published (or the other way round) writes 0 uses or no time now, the rest next flush.
      await this.dataSource.query(
        `UPDATE api_keys k
            SET usage_count = k.usage_count + u.n,
                last_used_at = GREATEST(k.last_used_at, u.t)
           FROM unnest($1::uuid[], $2::bigint[], $3::timestamptz[]) AS u(id, n, t)
          WHERE k.id = u.id`,
        [
          ids,
          ids.map((id) => usesById.get(id) ?? 0),
          ids.map((id) => {
            const at = lastUsedById.get(id);
            return at === undefined ? null : new Date(at).toISOString();
          }),
        ],
      );
    } catch (error) {
      this.uses.restore(uses);
      this.lastUsed.restore(lastUsed);
      throw error;
    }
    return ids.length;
  }
}

/** The values of every bucket, by field. */
function byField(counts: Counts): Map<string, number> {
  const values = new Map<string, number>();
  for (const fields of counts.values()) for (const [field, value] of fields) values.set(field, value);
  return values;
}
