import { Injectable } from '@nestjs/common';
import { RedisConnections } from '@strata/core';
import { DataSource } from 'typeorm';
import { ADMIN_KEY_ID } from './api-key-principal';
import { countRows, RedisBatchedCounts } from './redis-batched-counts';

const HOUR_MS = 3_600_000;
/** The column's width; Strata's own route templates are far shorter. */
const MAX_ROUTE_LENGTH = 300;

/** `GET /api/v1/pages/:id`: the method and the route's template, never the concrete path (ids would make every request its own route). */
export function routeOf(method: string, template: string | undefined): string | undefined {
  return template ? `${method} ${template}`.slice(0, MAX_ROUTE_LENGTH) : undefined;
}

/**
 * Admitted requests per key, UTC hour and route, for the top routes of a key: counted in
 * process, summed in one Redis hash per hour (`keyId|route` → n), and upserted into
 * `api_key_route_usage` in one statement per flush (see RedisBatchedCounts).
 */
@Injectable()
export class RouteUsage {
  private readonly counts: RedisBatchedCounts;

  constructor(
    redis: RedisConnections,
    private readonly dataSource: DataSource,
  ) {
    this.counts = new RedisBatchedCounts(redis, {
      buckets: 'api-keys:usage:{routes}:hours',
      bucket: (hour) => `api-keys:usage:{routes}:hour:${hour}`,
    });
  }

  /** `route` as `routeOf` gives it. */
  record(keyId: string, route: string | undefined, now = Date.now()): void {
    if (keyId === ADMIN_KEY_ID || !route) return;
    this.counts.record(String(now - (now % HOUR_MS)), `${keyId}|${route}`);
  }

  publish(): Promise<void> {
    return this.counts.publish();
  }

  flush(includeRedis: boolean): Promise<number> {
    return this.counts.flush(includeRedis, async (counts) => {
      const rows = countRows(counts).map(([hour, field, n]) => {
        const separator = field.indexOf('|');
        return [field.slice(0, separator), new Date(Number(hour)).toISOString(), field.slice(separator + 1), n] as const;
      });
      // Joined with api_keys: counts of a key deleted meanwhile are dropped, not an FK error.
      await this.dataSource.query(
        `INSERT INTO api_key_route_usage (key_id, hour, route, count)
         SELECT u.key_id, u.hour, u.route, u.n
           FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::bigint[]) AS u(key_id, hour, route, n)
           JOIN api_keys k ON k.id = u.key_id
         ON CONFLICT (key_id, hour, route) DO UPDATE SET count = api_key_route_usage.count + EXCLUDED.count`,
        [rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2]), rows.map((r) => r[3])],
      );
    });
  }
}
