import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { WebhookStatsDto, WindowStatsDto } from './webhook-operations.dto';

const WINDOWS = { '1h': '1 hour', '24h': '24 hours', '7d': '7 days' } as const;

interface WindowRow {
  attempts: string;
  succeeded: string;
  p50: number | null;
  p99: number | null;
}

const windowColumns = Object.entries(WINDOWS)
  .map(([name, interval]) => {
    const within = `attempted_at >= now() - interval '${interval}'`;
    return `json_build_object(
      'attempts', count(*) FILTER (WHERE ${within}),
      'succeeded', count(*) FILTER (WHERE ${within} AND status_code BETWEEN 200 AND 299),
      'p50', percentile_disc(0.5) WITHIN GROUP (ORDER BY duration_ms) FILTER (WHERE ${within}),
      'p99', percentile_disc(0.99) WITHIN GROUP (ORDER BY duration_ms) FILTER (WHERE ${within})) AS "${name}"`;
  })
  .join(',\n');

/**
 * Endpoint health over the attempt log. One statement reads the last 7 days of the endpoint's
 * attempts through webhook_attempts_endpoint_time_idx (endpoint, time, with status and duration
 * included: an index-only range scan) and aggregates the three windows with FILTER; the last
 * failure walks the same index backwards from now.
 */
@Injectable()
export class WebhookStatsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async stats(endpointId: string): Promise<WebhookStatsDto> {
    const [windows]: Record<keyof typeof WINDOWS, WindowRow>[] = await this.dataSource.query(
      `SELECT ${windowColumns} FROM webhook_attempts WHERE endpoint_id = $1 AND attempted_at >= now() - interval '7 days'`,
      [endpointId],
    );
    const [failure]: { attempted_at: Date; delivery_id: string; event_id: string; status_code: number | null; error: string | null }[] =
      await this.dataSource.query(
        `SELECT a.attempted_at, a.delivery_id, d.event_id, a.status_code, a.error
         FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id
        WHERE a.endpoint_id = $1 AND (a.status_code IS NULL OR a.status_code NOT BETWEEN 200 AND 299)
        ORDER BY a.attempted_at DESC LIMIT 1`,
        [endpointId],
      );
    return {
      endpointId,
      '1h': toWindow(windows['1h']),
      '24h': toWindow(windows['24h']),
      '7d': toWindow(windows['7d']),
      lastFailure: failure
        ? {
            attemptedAt: failure.attempted_at.toISOString(),
            deliveryId: failure.delivery_id,
            eventId: failure.event_id,
            statusCode: failure.status_code,
            error: failure.error,
          }
        : null,
    };
  }
}

function toWindow(row: WindowRow): WindowStatsDto {
  const attempts = Number(row.attempts);
  const succeeded = Number(row.succeeded);
  return {
    attempts,
    succeeded,
    failed: attempts - succeeded,
    successRate: attempts === 0 ? null : Math.round((succeeded / attempts) * 1000) / 1000,
    p50LatencyMs: row.p50,
    p99LatencyMs: row.p99,
  };
}
