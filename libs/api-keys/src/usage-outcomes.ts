import { Injectable } from '@nestjs/common';
import { RedisConnections } from '@strata/core';
import { DataSource } from 'typeorm';
import { ADMIN_KEY_ID } from './api-key-principal';

/** What became of a request made with a key (or a charged verification of it). */
export const USAGE_OUTCOMES = ['allowed', 'rate_limited', 'usage_exceeded', 'forbidden'] as const;
export type UsageOutcome = (typeof USAGE_OUTCOMES)[number];

const HOUR_MS = 3_600_000;
// One hash tag, so every key of a MULTI below lives in one slot on Redis Cluster too.
const HOURS_KEY = 'api-keys:usage:{outcomes}:hours';
const hourKey = (hour: number) => `api-keys:usage:{outcomes}:hour:${hour}`;

/** Counts by hour (epoch ms of its start) → `keyId|outcome` → n. */
type Counts = Map<number, Map<string, number>>;

/**
 * Requests per key, UTC hour and outcome, for the usage analytics, without a database write or
 * a Redis call per request: `record` adds to a map in process; `publish` (every second) adds
 * the sums to one Redis hash per hour with HINCRBY in one MULTI, and notes the hour in a set;
 * `flush` (worker roles) takes each noted hour's hash and upserts the totals into
 * `api_key_usage` in one statement. While Redis is unreachable the sums stay in process and
 * `flush` writes them directly, as UsageCounter does for usageCount.
 */
@Injectable()
export class UsageOutcomes {
  private pending: Counts = new Map();

  constructor(
    private readonly redis: RedisConnections,
    private readonly dataSource: DataSource,
  ) {}

  /** Synchronous and in memory: counting must never slow down or fail the request it counts. */
  record(keyId: string, outcome: UsageOutcome, now = Date.now()): void {
    if (keyId === ADMIN_KEY_ID) return;
    add(this.pending, now - (now % HOUR_MS), `${keyId}|${outcome}`, 1);
  }

  async publish(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    const multi = this.redis.client.multi();
    for (const [hour, fields] of batch) {
      const key = hourKey(hour);
      for (const [field, n] of fields) multi.hincrby(key, field, n);
      // After the increments: a drain that runs in between finds the hour noted again.
      multi.sadd(HOURS_KEY, String(hour));
    }
    try {
      const results = await multi.exec();
      if (!results || results.some(([error]) => error)) throw new Error('usage outcomes were not all written to Redis');
    } catch {
      mergeInto(this.pending, batch);
    }
  }

  /** Writes what this process holds and, when `includeRedis`, every instance's counts in Redis. */
  async flush(includeRedis: boolean): Promise<number> {
    const batch = this.pending;
    this.pending = new Map();
    if (includeRedis) {
      try {
        await this.drainRedis(batch);
      } catch {
        // Redis is unreachable: its counts wait there for the next flush.
      }
    }
    const rows: Array<[string, string, string, number]> = [];
    for (const [hour, fields] of batch) {
      const at = new Date(hour).toISOString();
      for (const [field, n] of fields) {
        const [keyId, outcome] = field.split('|');
        rows.push([keyId, at, outcome, n]);
      }
    }
    if (rows.length === 0) return 0;
    try {
      // Joined with api_keys: counts of a key deleted meanwhile are dropped, not an FK error.
      await this.dataSource.query(
        `INSERT INTO api_key_usage (key_id, hour, outcome, count)
         SELECT u.key_id, u.hour, u.outcome, u.n
           FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::bigint[]) AS u(key_id, hour, outcome, n)
           JOIN api_keys k ON k.id = u.key_id
         ON CONFLICT (key_id, hour, outcome) DO UPDATE SET count = api_key_usage.count + EXCLUDED.count`,
        [rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2]), rows.map((r) => r[3])],
      );
    } catch (error) {
      mergeInto(this.pending, batch);
      throw error;
    }
    return rows.length;
  }

  /** Takes every noted hour's hash (read, delete and un-note in one MULTI, so no count is taken twice). */
  private async drainRedis(into: Counts): Promise<void> {
    const hours = await this.redis.client.smembers(HOURS_KEY);
    for (const hour of hours) {
      const results = await this.redis.client
        .multi()
        .hgetall(hourKey(Number(hour)))
        .del(hourKey(Number(hour)))
        .srem(HOURS_KEY, hour)
        .exec();
      const [error, fields] = results?.[0] ?? [new Error('no answer')];
      if (error) throw error;
      for (const [field, n] of Object.entries(fields as Record<string, string>)) add(into, Number(hour), field, Number(n));
    }
  }
}

function add(counts: Counts, hour: number, field: string, n: number): void {
  let fields = counts.get(hour);
  if (!fields) counts.set(hour, (fields = new Map<string, number>()));
  fields.set(field, (fields.get(field) ?? 0) + n);
}

function mergeInto(target: Counts, source: Counts): void {
  for (const [hour, fields] of source) for (const [field, n] of fields) add(target, hour, field, n);
}
