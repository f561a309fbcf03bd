import { Injectable } from '@nestjs/common';
import { ProblemException } from '@strata/core';
import { DataSource } from 'typeorm';
import { KeyUsageBucketDto, KeyUsageDto, KeyUsageQueryDto } from './key-usage.dto';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** The widest window one request may ask for. */
const MAX_RANGE_MS = 366 * DAY_MS;
const CSV_COLUMNS = ['time', 'allowed', 'rate_limited', 'usage_exceeded', 'forbidden', 'total'] as const;

/**
 * A key's requests by hour or day and outcome, from `api_key_usage` (which UsageOutcomes fills
 * in batches, so the last few seconds are not in it yet).
 */
@Injectable()
export class KeyUsageReport {
  constructor(private readonly dataSource: DataSource) {}

  async report(keyId: string, query: KeyUsageQueryDto): Promise<KeyUsageDto> {
    const granularity = query.granularity ?? 'hour';
    const step = granularity === 'day' ? DAY_MS : HOUR_MS;
    const to = query.to ?? new Date();
    const fromRaw = query.from ?? new Date(to.getTime() - DAY_MS);
    const from = new Date(fromRaw.getTime() - (fromRaw.getTime() % step));
    if (from >= to) throw ProblemException.unprocessable('from must be before to.', { from: ['from must be before to'] });
    if (to.getTime() - from.getTime() > MAX_RANGE_MS)
      throw ProblemException.unprocessable('The window is longer than 366 days.', { to: ['to - from must be at most 366 days'] });

    const [exists]: unknown[] = await this.dataSource.query(`SELECT 1 FROM api_keys WHERE id = $1`, [keyId]);
    if (!exists) throw ProblemException.notFound(`API key ${keyId} does not exist.`);
    const rows: Array<{ bucket: Date; outcome: string; n: string }> = await this.dataSource.query(
      `SELECT date_trunc($4, hour AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS bucket, outcome, sum(count)::bigint AS n
         FROM api_key_usage
        WHERE key_id = $1 AND hour >= $2 AND hour < $3
        GROUP BY 1, 2
        ORDER BY 1`,
      [keyId, from.toISOString(), to.toISOString(), granularity],
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
    return { keyId, from: from.toISOString(), to: to.toISOString(), granularity, data: [...buckets.values()] };
  }
}

/** One header line, then one line per bucket (RFC 4180; no field needs quoting). */
export function usageCsv(usage: KeyUsageDto): string {
  const lines = usage.data.map((b) => [b.time, b.allowed, b.rateLimited, b.usageExceeded, b.forbidden, b.total].join(','));
  return [CSV_COLUMNS.join(','), ...lines].join('\r\n') + '\r\n';
}

/** One JSON object per bucket and line, each naming its key. */
export function usageNdjson(usage: KeyUsageDto): string {
  return usage.data.map((bucket) => JSON.stringify({ keyId: usage.keyId, ...bucket }) + '\n').join('');
}
