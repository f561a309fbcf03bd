import { Injectable } from '@nestjs/common';
import { ProblemException } from '@strata/core';
import type { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import { IdentityUsageDto, KeyRoutesDto, KeyRoutesQueryDto, KeyUsageBucketDto, KeyUsageDto, KeyUsageQueryDto } from './key-usage.dto';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** The widest window one request may ask for. */
const MAX_RANGE_MS = 366 * DAY_MS;
const DEFAULT_TOP_ROUTES = 10;
const CSV_COLUMNS = ['time', 'allowed', 'rate_limited', 'usage_exceeded', 'forbidden', 'total'] as const;

interface Window {
  from: Date;
  to: Date;
}

/** `from` (rounded down to the step; default `to` minus 24 h) and `to` (default now), checked. */
function windowOf(query: { from?: Date; to?: Date }, step: number): Window {
  const to = query.to ?? new Date();
  const fromRaw = query.from ?? new Date(to.getTime() - DAY_MS);
  const from = new Date(fromRaw.getTime() - (fromRaw.getTime() % step));
  if (from >= to) throw ProblemException.unprocessable('from must be before to.', { from: ['from must be before to'] });
  if (to.getTime() - from.getTime() > MAX_RANGE_MS)
    throw ProblemException.unprocessable('The window is longer than 366 days.', { to: ['to - from must be at most 366 days'] });
  return { from, to };
}

/**
 * Requests by hour or day and outcome, of one key or of every key of an identity, from
 * `api_key_usage`; and a key's most requested routes, from `api_key_route_usage` (both filled in
 * batches from Redis, so the last few seconds are not in them yet).
 */
@Injectable()
export class KeyUsageReport {
  constructor(private readonly dataSource: DataSource) {}

  async report(keyId: string, query: KeyUsageQueryDto): Promise<KeyUsageDto> {
    const granularity = query.granularity ?? 'hour';
    const window = windowOf(query, granularity === 'day' ? DAY_MS : HOUR_MS);
    await this.assertKey(keyId);
    const data = await this.buckets(`key_id = $1`, keyId, window, granularity);
    return { keyId, from: window.from.toISOString(), to: window.to.toISOString(), granularity, data };
  }

  /** The identity's current keys together (a deleted key's counts go with it). */
  async reportForIdentity(ownerId: string, query: KeyUsageQueryDto): Promise<IdentityUsageDto> {
    const granularity = query.granularity ?? 'hour';
    const window = windowOf(query, granularity === 'day' ? DAY_MS : HOUR_MS);
    const [{ keys }]: { keys: number }[] = await this.dataSource.query(`SELECT count(*)::int AS keys FROM api_keys WHERE owner_id = $1`, [ownerId]);
    if (keys === 0) throw ProblemException.notFound(`No API key has the ownerId ${ownerId}.`);
    const data = await this.buckets(`key_id IN (SELECT id FROM api_keys WHERE owner_id = $1)`, ownerId, window, granularity);
    return { ownerId, keys, from: window.from.toISOString(), to: window.to.toISOString(), granularity, data };
  }

  async topRoutes(keyId: string, query: KeyRoutesQueryDto): Promise<KeyRoutesDto> {
    const window = windowOf(query, HOUR_MS);
    await this.assertKey(keyId);
    const rows: Array<{ route: string; n: string }> = await this.dataSource.query(
      `SELECT route, sum(count)::bigint AS n FROM api_key_route_usage
        WHERE key_id = $1 AND hour >= $2 AND hour < $3
        GROUP BY route ORDER BY n DESC, route LIMIT $4`,
      [keyId, window.from.toISOString(), window.to.toISOString(), query.limit ?? DEFAULT_TOP_ROUTES],
    );
    return { keyId, from: window.from.toISOString(), to: window.to.toISOString(), data: rows.map((row) => ({ route: row.route, count: Number(row.n) })) };
  }

  private async assertKey(keyId: string): Promise<void> {
    const [exists]: unknown[] = await this.dataSource.query(`SELECT 1 FROM api_keys WHERE id = $1`, [keyId]);
    if (!exists) throw ProblemException.notFound(`API key ${keyId} does not exist.`);
  }

  /** Buckets with at least one request among the usage rows `keysWhere` selects ($1 = `subject`), oldest first. */
  private async buckets(keysWhere: string, subject: string, window: Window, granularity: 'hour' | 'day'): Promise<KeyUsageBucketDto[]> {
    const rows: Array<{ bucket: Date; outcome: string; n: string }> = await this.dataSource.query(
      `SELECT date_trunc($4, hour AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS bucket, outcome, sum(count)::bigint AS n
         FROM api_key_usage
        WHERE ${keysWhere} AND hour >= $2 AND hour < $3
        GROUP BY 1, 2
        ORDER BY 1`,
      [subject, window.from.toISOString(), window.to.toISOString(), granularity],
    );
    const buckets = new Map<number, KeyUsageBucketDto>();
    for (const row of rows) {
      const time = new Date(row.bucket);
      let bucket = buckets.get(time.getTime());
      if (!bucket) buckets.set(time.getTime(), (bucket = { time: time.toISOString(), allowed: 0, rateLimited: 0, usageExceeded: 0, forbidden: 0, total: 0 }));
      const n = Number(row.n);
      if (row.outcome === 'allowed') bucket.allowed += n;
      else if (row.outcome === 'rate_limited') bucket.rateLimited += n;
      else if (row.outcome === 'usage_exceeded') bucket.usageExceeded += n;
      else if (row.outcome === 'forbidden') bucket.forbidden += n;
      bucket.total += n;
    }
    return [...buckets.values()];
  }
}

/** One header line, then one line per bucket (RFC 4180; no field needs quoting). */
export function usageCsv(buckets: KeyUsageBucketDto[]): string {
  const lines = buckets.map((b) => [b.time, b.allowed, b.rateLimited, b.usageExceeded, b.forbidden, b.total].join(','));
  return [CSV_COLUMNS.join(','), ...lines].join('\r\n') + '\r\n';
}

/** One JSON object per bucket and line, each naming whose usage it is (`{ keyId }` or `{ ownerId }`). */
export function usageNdjson(subject: Record<string, string>, buckets: KeyUsageBucketDto[]): string {
  return buckets.map((bucket) => JSON.stringify({ ...subject, ...bucket }) + '\n').join('');
}

/** A usage answer as the client asked: the JSON document, or its buckets as a CSV or NDJSON download. */
export function usageAnswer<T extends { data: KeyUsageBucketDto[] }>(
  usage: T,
  query: KeyUsageQueryDto,
  reply: FastifyReply,
  download: { filename: string; subject: Record<string, string> },
): T | string {
  if (query.format !== 'csv' && query.format !== 'ndjson') return usage;
  const csv = query.format === 'csv';
  reply
    .header('content-type', csv ? 'text/csv; charset=utf-8' : 'application/x-ndjson')
    .header('content-disposition', `attachment; filename="${download.filename}.${query.format}"`);
  return csv ? usageCsv(usage.data) : usageNdjson(download.subject, usage.data);
}
