import { RedisConnections } from '@strata/core';

/**
 * Where a counter's values live in Redis: one hash per bucket (an hour, or one fixed bucket),
 * and a set naming the buckets that hold values. Give them one hash tag (`{…}`), so the MULTIs
 * below stay in one slot on Redis Cluster too.
 */
export interface BatchedCountsKeys {
  buckets: string;
  bucket(name: string): string;
}

/** Values by bucket, then field. */
export type Counts = Map<string, Map<string, number>>;

/** How two values of one field combine: added (a count), or the larger kept (a last-used time). */
export type Combine = 'sum' | 'max';

/** HSET only when larger: `max` in Redis, where HINCRBY is `sum`. */
const SET_IF_LARGER = `local current = tonumber(redis.call('HGET', KEYS[1], ARGV[1]))
if not current or current < tonumber(ARGV[2]) then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
return 0`;

/**
 * Counting without a database write or a Redis call per request. `record` adds to a map in
 * process (synchronous: counting must never slow down or fail the request it counts);
 * `publish` (every second) moves this process's values to Redis in one MULTI, noting each
 * bucket in the set after its values; `take` (worker roles, every few seconds) reads and deletes
 * each noted bucket in one MULTI, so no value is taken twice. The caller writes what it took
 * and `restore`s it when that fails, so it is written by the next flush. While Redis is
 * unreachable the values stay in process and `take` hands them over directly.
 */
export class RedisBatchedCounts {
  private pending: Counts = new Map();

  constructor(
    private readonly redis: RedisConnections,
    private readonly keys: BatchedCountsKeys,
    private readonly combine: Combine = 'sum',
  ) {}

  record(bucket: string, field: string, value = 1): void {
    merge(this.pending, bucket, field, value, this.combine);
  }

  async publish(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    const multi = this.redis.client.multi();
    for (const [bucket, fields] of batch) {
      const key = this.keys.bucket(bucket);
      for (const [field, value] of fields) {
        if (this.combine === 'sum') multi.hincrby(key, field, value);
        else multi.eval(SET_IF_LARGER, 1, key, field, value);
      }
      // After the values: a drain that runs in between finds the bucket noted again.
      multi.sadd(this.keys.buckets, bucket);
    }
    try {
      const results = await multi.exec();
      if (!results || results.some(([error]) => error)) throw new Error('counts were not all written to Redis');
    } catch {
      // Possibly partly written: counting twice is the lesser harm than losing a count.
      this.restore(batch);
    }
  }

  /** This process's values and, when `includeRedis`, every instance's values in Redis; now the caller's to write. */
  async take(includeRedis: boolean): Promise<Counts> {
    const batch = this.pending;
    this.pending = new Map();
    if (includeRedis) {
      try {
        await this.drainRedis(batch);
      } catch {
        // Redis is unreachable: its values wait there for the next flush.
      }
    }
    return batch;
  }

  /** Gives back values that could not be written. */
  restore(counts: Counts): void {
    for (const [bucket, fields] of counts) for (const [field, value] of fields) merge(this.pending, bucket, field, value, this.combine);
  }

  /** `take`, then `write`; restored when the write fails (and the error rethrown). Answers how many fields were written. */
  async flush(includeRedis: boolean, write: (counts: Counts) => Promise<void>): Promise<number> {
    const counts = await this.take(includeRedis);
    const fields = [...counts.values()].reduce((total, byField) => total + byField.size, 0);
    if (fields === 0) return 0;
    try {
      await write(counts);
    } catch (error) {
      this.restore(counts);
      throw error;
    }
    return fields;
  }

  private async drainRedis(into: Counts): Promise<void> {
    const buckets = await this.redis.client.smembers(this.keys.buckets);
    for (const bucket of buckets) {
      const key = this.keys.bucket(bucket);
      const results = await this.redis.client.multi().hgetall(key).del(key).srem(this.keys.buckets, bucket).exec();
      const [error, fields] = results?.[0] ?? [new Error('no answer')];
      if (error) throw error;
      for (const [field, value] of Object.entries(fields as Record<string, string>)) merge(into, bucket, field, Number(value), this.combine);
    }
  }
}

function merge(counts: Counts, bucket: string, field: string, value: number, combine: Combine): void {
  let fields = counts.get(bucket);
  if (!fields) counts.set(bucket, (fields = new Map<string, number>()));
  const current = fields.get(field);
  fields.set(field, current === undefined ? value : combine === 'sum' ? current + value : Math.max(current, value));
}

/** Each field of each bucket, for writing: `[bucket, field, value]`. */
export function countRows(counts: Counts): Array<[string, string, number]> {
  const rows: Array<[string, string, number]> = [];
  for (const [bucket, fields] of counts) for (const [field, value] of fields) rows.push([bucket, field, value]);
  return rows;
}
