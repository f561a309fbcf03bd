import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AppConfig, ProblemException } from '@strata/core';
import { matchesEventPatterns, OUTBOX_CHANNEL } from '@strata/events';
import { v7 as uuidv7 } from 'uuid';
import type { DataSource, EntityManager } from 'typeorm';
import { assertEventPatterns } from './event-subscription';
import { WebhookEndpointsService } from './webhook-endpoints.service';
import { WebhookReplayDto } from './webhook-operations.dto';
import { EndpointFilters, passesEndpointFilters } from './endpoint-filters';

/** Outbox rows read per step of a replay (ids and types only; payloads are copied in SQL). */
const REPLAY_BATCH = 2000;

interface ReplayRow {
  id: string;
  endpoint_id: string;
  kind: 'recover' | 'replay';
  since: Date;
  types: string[] | null;
  total: number;
  created_at: Date;
}

/**
 * Recover (re-send what failed) and replay (re-send past events) for one endpoint. Both only
 * turn delivery rows back to `pending` (or create them) in one transaction, tagged with the job
 * id; sending goes through the ordinary path — enqueuer, BullMQ, the per-endpoint slots and the
 * retry schedule — so a bulk job is paced like any other traffic to that endpoint, and its
 * progress is the count of its deliveries by status.
 */
@Injectable()
export class WebhookReplaysService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly endpoints: WebhookEndpointsService,
  ) {}

  async recover(endpointId: string, since: string): Promise<WebhookReplayDto> {
    await this.assertActive(endpointId);
    const id = uuidv7();
    await this.dataSource.transaction(async (manager) => {
      await this.insertJob(manager, id, endpointId, 'recover', since, null);
      const [updated]: [unknown[]] = await manager.query(
        `UPDATE webhook_deliveries SET status = 'pending', retry_base = attempt_count, generation = generation + 1,
            enqueued_at = NULL, replay_id = $3, updated_at = now()
          WHERE endpoint_id = $1 AND status = 'failed' AND created_at >= $2 RETURNING id`,
        [endpointId, since, id],
      );
      await this.finishJob(manager, id, updated.length);
    });
    return this.get(endpointId, id);
  }

  async replay(endpointId: string, since: string, requested: string[]): Promise<WebhookReplayDto> {
    const types = assertEventPatterns('types', requested);
    const endpoint = await this.assertActive(endpointId);
    const retainedHours = this.config.events.outboxRetentionHours;
    if (new Date(since).getTime() < Date.now() - retainedHours * 3600_000) {
      throw ProblemException.unprocessable(`Events are kept for replay for OUTBOX_RETENTION_HOURS (${retainedHours} h); since must be within that window.`, {
        since: [`must be after ${new Date(Date.now() - retainedHours * 3600_000).toISOString()}`],
      });
    }
    const id = uuidv7();
    await this.dataSource.transaction(async (manager) => {
      await this.insertJob(manager, id, endpointId, 'replay', since, types);
      let total = 0;
      for (let after = '0'; ;) {
        // relayed_at >= since holds for every row created since then (relayed after it was
        // written) and lets the scan start at \`since\` on outbox_events_relayed_idx.
        const rows: { seq: string; id: string; type: string; data: unknown }[] = await manager.query(
          `SELECT seq, id, type, jsonb_build_object('tags', payload->'data'->'tags') AS data FROM outbox_events
            WHERE seq > $1 AND created_at >= $2 AND relayed_at >= $2::timestamptz - interval '1 minute'
              AND NOT (type LIKE 'webhook.endpoint.%' AND payload->'data'->>'endpointId' = $3)
            ORDER BY seq LIMIT ${REPLAY_BATCH}`,
          [after, since, endpointId],
        );
        if (rows.length === 0) break;
        after = rows[rows.length - 1].seq;
        // Only what was asked for and what the endpoint subscribes to (its tag filter included).
        const chosen = rows.filter(
          (row) =>
            matchesEventPatterns(types, row.type) && matchesEventPatterns(endpoint.events, row.type) && passesEndpointFilters(endpoint.filters, row.data),
        );
        if (chosen.length > 0)
          total += await this.resend(
            manager,
            endpointId,
            id,
            chosen.map((row) => row.id),
          );
      }
      await this.finishJob(manager, id, total);
    });
    return this.get(endpointId, id);
  }

  async get(endpointId: string, id: string): Promise<WebhookReplayDto> {
    const [job]: ReplayRow[] = await this.dataSource.query(`SELECT * FROM webhook_replays WHERE id = $1 AND endpoint_id = $2`, [id, endpointId]);
    if (!job) throw ProblemException.notFound(`Replay ${id} of webhook ${endpointId} does not exist.`);
    const counts: { status: string; count: number }[] = await this.dataSource.query(
      `SELECT status, count(*)::int AS count FROM webhook_deliveries WHERE replay_id = $1 GROUP BY status`,
      [id],
    );
    const of = (status: string) => counts.find((row) => row.status === status)?.count ?? 0;
    return {
      id: job.id,
      endpointId: job.endpoint_id,
      kind: job.kind,
      status: of('pending') > 0 ? 'running' : 'finished',
      since: job.since.toISOString(),
      types: job.types,
      total: job.total,
      pending: of('pending'),
      succeeded: of('succeeded'),
      failed: of('failed'),
      createdAt: job.created_at.toISOString(),
    };
  }

  /** New deliveries for these events, or finished ones sent again; those still pending are left alone. */
  private async resend(manager: EntityManager, endpointId: string, jobId: string, eventIds: string[]): Promise<number> {
    // TypeORM answers an INSERT ... RETURNING with the rows (an UPDATE with [rows, count]).
    const rows: unknown[] = await manager.query(
      `INSERT INTO webhook_deliveries (id, endpoint_id, event_id, event_type, payload, replay_id)
       SELECT u.id, $1::uuid, o.id, o.type, o.payload, $2::uuid
         FROM unnest($3::uuid[], $4::varchar[]) AS u (id, event_id) JOIN outbox_events o ON o.id = u.event_id
       ON CONFLICT (event_id, endpoint_id) DO UPDATE SET status = 'pending', retry_base = webhook_deliveries.attempt_count,
           generation = webhook_deliveries.generation + 1, enqueued_at = NULL, replay_id = $2, updated_at = now()
         WHERE webhook_deliveries.status <> 'pending'
       RETURNING id`,
      [endpointId, jobId, eventIds.map(() => uuidv7()), eventIds],
    );
    return rows.length;
  }

  private async assertActive(endpointId: string): Promise<{ events: string[]; filters: EndpointFilters }> {
    const endpoint = await this.endpoints.find(endpointId);
    if (!endpoint.active) throw ProblemException.conflict('The endpoint is disabled; enable it before recovering or replaying.');
    return endpoint;
  }

  private async insertJob(
    manager: EntityManager,
    id: string,
    endpointId: string,
    kind: 'recover' | 'replay',
    since: string,
    types: string[] | null,
  ): Promise<void> {
    await manager.query(`INSERT INTO webhook_replays (id, endpoint_id, kind, since, types, total) VALUES ($1, $2, $3, $4, $5, 0)`, [
      id,
      endpointId,
      kind,
      since,
      types,
    ]);
  }

  /** Records the size and wakes the relay, whose pass queues the pending rows once this commits. */
  private async finishJob(manager: EntityManager, id: string, total: number): Promise<void> {
    await manager.query(`UPDATE webhook_replays SET total = $2 WHERE id = $1`, [id, total]);
    await manager.query(`SELECT pg_notify('${OUTBOX_CHANNEL}', '')`);
  }
}
