import { Injectable } from '@nestjs/common';
import { RedisConnections } from '@strata/core';
import { DataSource } from 'typeorm';
import { ADMIN_KEY_ID } from './api-key-principal';
import { countRows, RedisBatchedCounts } from './redis-batched-counts';

/** What became of a request made with a key (or a charged verification of it). */
export const USAGE_OUTCOMES = ['allowed', 'rate_limited', 'usage_exceeded', 'forbidden'] as const;
export type UsageOutcome = (typeof USAGE_OUTCOMES)[number];

const HOUR_MS = 3_600_000;

/**
 * Requests per key, UTC hour and outcome, for the usage analytics: counted in process, summed
 * in one Redis hash per hour (`keyId|outcome` → n), and upserted into `api_key_usage` in one
 * statement per flush (see RedisBatchedCounts).
 */
@Injectable()
export class UsageOutcomes {
  private readonly counts: RedisBatchedCounts;

  constructor(
    redis: RedisConnections,
    private readonly dataSource: DataSource,
  ) {
    this.counts = new RedisBatchedCounts(redis, {
      buckets: 'api-keys:usage:{outcomes}:hours',
      bucket: (hour) => `api-keys:usage:{outcomes}:hour:${hour}`,
    });
  }

  record(keyId: string, outcome: UsageOutcome, now = Date.now()): void {
    if (keyId === ADMIN_KEY_ID) return;
    this.counts.record(String(now - (now % HOUR_MS)), `${keyId}|${outcome}`);
  }

  publish(): Promise<void> {
    return this.counts.publish();
  }

  /** Writes what this process holds and, when `includeRedis`, every instance's counts in Redis. */
  flush(includeRedis: boolean): Promise<number> {
    return this.counts.flush(includeRedis, async (counts) => {
      const rows = countRows(counts).map(([hour, field, n]) => [...field.split('|'), new Date(Number(hour)).toISOString(), n] as const);
      // Joined with api_keys: counts of a key deleted meanwhile are dropped, not an FK error.
      await this.dataSource.query(
        `INSERT INTO api_key_usage (key_id, hour, outcome, count)
         SELECT u.key_id, u.hour, u.outcome, u.n
           FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::bigint[]) AS u(key_id, hour, outcome, n)
           JOIN api_keys k ON k.id = u.key_id
         ON CONFLICT (key_id, hour, outcome) DO UPDATE SET count = api_key_usage.count + EXCLUDED.count`,
        [rows.map((r) => r[0]), rows.map((r) => r[2]), rows.map((r) => r[1]), rows.map((r) => r[3])],
      );
    });
  }
}
