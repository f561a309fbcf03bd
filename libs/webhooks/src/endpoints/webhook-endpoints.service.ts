import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AppConfig, decodeCursor, encodeCursor, ProblemException, SecretBox } from '@strata/core';
import { DomainEvent, newEventId, OUTBOX_CHANNEL } from '@strata/events';
import { v7 as uuidv7 } from 'uuid';
import type { DataSource } from 'typeorm';
import { newWebhookSecret } from '../delivery/webhook-signer';
import {
  CreateWebhookDto,
  QueuedDto,
  UpdateWebhookDto,
  WebhookDeliveryDto,
  WebhookDeliveryQueryDto,
  WebhookDto,
  WebhookWithSecretDto,
} from './webhook-endpoint.dto';
import { assertEventPatterns } from './event-subscription';
import { EndpointFilters } from './endpoint-filters';
import { assertAllowedWebhookUrl } from './webhook-url';

/** How long the previous secret keeps signing after a rotation. */
const ROTATION_OVERLAP_HOURS = 24;

export interface EndpointRow {
  id: string;
  url: string;
  description: string;
  events: string[];
  active: boolean;
  disabled_reason: string | null;
  failure_count: number;
  rate_limit: number | null;
  fifo: boolean;
  filters: EndpointFilters;
  previous_secret_expires_at: Date | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

const ENDPOINT_COLUMNS = `id, url, description, events, active, disabled_reason, failure_count, rate_limit, fifo, filters, previous_secret_expires_at, version, created_at, updated_at`;

/** The filters as stored: only the keys given (class-transformer leaves absent ones undefined), JSON for the jsonb column. */
function filtersOf(dto: { filters?: EndpointFilters }): string {
  return JSON.stringify(dto.filters?.tags ? { tags: dto.filters.tags } : {});
}

function toDto(row: EndpointRow): WebhookDto {
  return {
    id: row.id,
    url: row.url,
    events: row.events,
    description: row.description,
    active: row.active,
    disabledReason: row.disabled_reason,
    failureCount: row.failure_count,
    rateLimit: row.rate_limit,
    fifo: row.fifo,
    filters: row.filters,
    previousSecretExpiresAt:
      row.previous_secret_expires_at && row.previous_secret_expires_at > new Date() ? row.previous_secret_expires_at.toISOString() : null,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/**
 * Webhook endpoints and their deliveries. Secrets are kept as issued because HMAC signing
 * needs the key itself (a hash would not do); they leave the service only in the create and
 * rotate answers, and are never logged.
 */
@Injectable()
export class WebhookEndpointsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly secrets: SecretBox,
  ) {}

  async create(dto: CreateWebhookDto): Promise<WebhookWithSecretDto> {
    const events = assertEventPatterns('events', dto.events);
    const url = await assertAllowedWebhookUrl(dto.url, this.config.webhooks.allowPrivateTargets);
    const secret = newWebhookSecret();
    const [row]: EndpointRow[] = await this.dataSource.query(
      `INSERT INTO webhook_endpoints (id, url, description, events, active, secret, rate_limit, fifo, filters) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${ENDPOINT_COLUMNS}`,
      [uuidv7(), url, dto.description ?? '', events, dto.active ?? true, this.secrets.seal(secret), dto.rateLimit ?? null, dto.fifo ?? false, filtersOf(dto)],
    );
    return { ...toDto(row), secret };
  }

  async list(limit: number, cursor?: string): Promise<{ data: WebhookDto[]; nextCursor: string | null }> {
    const after = cursor ? decodeCursor(cursor, 'createdAt') : undefined;
    const rows: EndpointRow[] = await this.dataSource.query(
      `SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints
        WHERE $1::timestamptz IS NULL OR (created_at, id) > ($1::timestamptz, $2::uuid)
        ORDER BY created_at, id LIMIT $3`,
      [after?.value ?? null, after?.id ?? null, limit + 1],
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      data: page.map(toDto),
      nextCursor: rows.length > limit ? encodeCursor({ sort: 'createdAt', value: last.created_at.toISOString(), id: last.id }) : null,
    };
  }

  async get(id: string): Promise<WebhookDto> {
    return toDto(await this.find(id));
  }

  async update(id: string, dto: UpdateWebhookDto): Promise<WebhookDto> {
    const events = dto.events ? assertEventPatterns('events', dto.events) : null;
    const url = dto.url === undefined ? null : await assertAllowedWebhookUrl(dto.url, this.config.webhooks.allowPrivateTargets);
    // Re-activating by PATCH is the same as `enable`: the failure history starts over.
    const [rows]: [EndpointRow[]] = await this.dataSource.query(
      `UPDATE webhook_endpoints SET
          url = COALESCE($2, url),
          events = COALESCE($3, events),
          description = COALESCE($4, description),
          active = COALESCE($5, active),
          disabled_reason = CASE WHEN $5 THEN NULL ELSE disabled_reason END,
          failure_count = CASE WHEN $5 AND NOT active THEN 0 ELSE failure_count END,
          -- rateLimit: left out keeps it, null removes it
          rate_limit = CASE WHEN $6 THEN $7 ELSE rate_limit END,
          fifo = COALESCE($8, fifo),
          filters = COALESCE($9::jsonb, filters),
          version = version + 1,
          updated_at = now()
        WHERE id = $1 RETURNING ${ENDPOINT_COLUMNS}`,
      [
        id,
        url,
        events,
        dto.description ?? null,
        dto.active ?? null,
        dto.rateLimit !== undefined,
        dto.rateLimit ?? null,
        dto.fifo ?? null,
        dto.filters ? filtersOf(dto) : null,
      ],
    );
    if (!rows[0]) throw this.notFound(id);
    return toDto(rows[0]);
  }

  async remove(id: string): Promise<void> {
    const [, count]: [unknown, number] = await this.dataSource.query(`DELETE FROM webhook_endpoints WHERE id = $1`, [id]);
    if (count === 0) throw this.notFound(id);
  }

  async rotateSecret(id: string): Promise<WebhookWithSecretDto> {
    const secret = newWebhookSecret();
    const [rows]: [EndpointRow[]] = await this.dataSource.query(
      `UPDATE webhook_endpoints SET previous_secret = secret, secret = $2,
          previous_secret_expires_at = now() + make_interval(hours => $3), version = version + 1, updated_at = now()
        WHERE id = $1 RETURNING ${ENDPOINT_COLUMNS}`,
      [id, this.secrets.seal(secret), ROTATION_OVERLAP_HOURS],
    );
    if (!rows[0]) throw this.notFound(id);
    return { ...toDto(rows[0]), secret };
  }

  async enable(id: string): Promise<WebhookDto> {
    const [rows]: [EndpointRow[]] = await this.dataSource.query(
      `UPDATE webhook_endpoints SET active = true, disabled_reason = NULL, failure_count = 0, version = version + 1, updated_at = now()
        WHERE id = $1 RETURNING ${ENDPOINT_COLUMNS}`,
      [id],
    );
    if (!rows[0]) throw this.notFound(id);
    return toDto(rows[0]);
  }

  /** Queues a `webhook.ping` to this endpoint only (it is not a domain event, so no outbox row). */
  async test(id: string): Promise<QueuedDto> {
    const endpoint = await this.find(id);
    const event: DomainEvent = {
      id: newEventId(),
      type: 'webhook.ping',
      timestamp: new Date().toISOString(),
      data: { endpointId: endpoint.id, url: endpoint.url },
    };
    const deliveryId = uuidv7();
    await this.dataSource.transaction(async (manager) => {
      await manager.query(`INSERT INTO webhook_deliveries (id, endpoint_id, event_id, event_type, payload) VALUES ($1, $2, $3, $4, $5)`, [
        deliveryId,
        endpoint.id,
        event.id,
        event.type,
        JSON.stringify(event),
      ]);
      await manager.query(`SELECT pg_notify('${OUTBOX_CHANNEL}', '')`);
    });
    return { deliveryId, eventId: event.id };
  }

  async deliveries(id: string, query: WebhookDeliveryQueryDto): Promise<{ data: WebhookDeliveryDto[]; nextCursor: string | null }> {
    await this.find(id);
    const { limit, cursor } = query;
    const after = cursor ? decodeCursor(cursor, '-createdAt') : undefined;
    const rows: { id: string; event_id: string; event_type: string; status: string; payload: unknown; created_at: Date; updated_at: Date }[] =
      await this.dataSource.query(
        `SELECT id, event_id, event_type, status, payload, created_at, updated_at FROM webhook_deliveries
          WHERE endpoint_id = $1 AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::uuid))
            AND ($5::varchar IS NULL OR event_id = $5) AND ($6::varchar IS NULL OR status = $6)
            AND ($7::timestamptz IS NULL OR created_at >= $7) AND ($8::timestamptz IS NULL OR created_at < $8)
          ORDER BY created_at DESC, id DESC LIMIT $4`,
        [id, after?.value ?? null, after?.id ?? null, limit + 1, query.eventId ?? null, query.status ?? null, query.from ?? null, query.to ?? null],
      );
    const page = rows.slice(0, limit);
    const attempts: {
      delivery_id: string;
      attempted_at: Date;
      status_code: number | null;
      duration_ms: number;
      response_body: string | null;
      error: string | null;
    }[] =
      page.length === 0
        ? []
        : await this.dataSource.query(
            `SELECT delivery_id, attempted_at, status_code, duration_ms, response_body, error FROM webhook_attempts WHERE delivery_id = ANY($1::uuid[]) ORDER BY id`,
            [page.map((row) => row.id)],
          );
    const last = page[page.length - 1];
    return {
      data: page.map((row) => ({
        id: row.id,
        eventId: row.event_id,
        eventType: row.event_type,
        status: row.status,
        payload: row.payload,
        attempts: attempts
          .filter((attempt) => attempt.delivery_id === row.id)
          .map((attempt) => ({
            attemptedAt: attempt.attempted_at.toISOString(),
            statusCode: attempt.status_code,
            durationMs: attempt.duration_ms,
            responseBody: attempt.response_body,
            error: attempt.error,
          })),
        createdAt: row.created_at.toISOString(),
        updatedAt: row.updated_at.toISOString(),
      })),
      nextCursor: rows.length > limit ? encodeCursor({ sort: '-createdAt', value: last.created_at.toISOString(), id: last.id }) : null,
    };
  }

  /** Sends a delivery again, with a fresh retry schedule, under a new queue job id. */
  async retryDelivery(id: string, deliveryId: string): Promise<QueuedDto> {
    const endpoint = await this.find(id);
    if (!endpoint.active) {
      throw new ProblemException({ status: 409, detail: 'The endpoint is disabled; enable it before retrying deliveries.' });
    }
    const rows: { id: string; event_id: string }[] = await this.dataSource.transaction(async (manager) => {
      const [updated]: [{ id: string; event_id: string }[]] = await manager.query(
        `UPDATE webhook_deliveries SET status = 'pending', retry_base = attempt_count, generation = generation + 1,
            enqueued_at = NULL, updated_at = now()
          WHERE id = $1 AND endpoint_id = $2 AND status <> 'pending' RETURNING id, event_id`,
        [deliveryId, id],
      );
      if (updated.length > 0) await manager.query(`SELECT pg_notify('${OUTBOX_CHANNEL}', '')`);
      return updated;
    });
    if (rows.length === 0) {
      const [exists]: unknown[] = await this.dataSource.query(`SELECT 1 FROM webhook_deliveries WHERE id = $1 AND endpoint_id = $2`, [deliveryId, id]);
      if (!exists) throw ProblemException.notFound(`Delivery ${deliveryId} of webhook ${id} does not exist.`);
      throw ProblemException.conflict('The delivery is still pending; it will be attempted on its schedule.');
    }
    return { deliveryId: rows[0].id, eventId: rows[0].event_id };
  }

  async find(id: string): Promise<EndpointRow> {
    const [row]: EndpointRow[] = await this.dataSource.query(`SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE id = $1`, [id]);
    if (!row) throw this.notFound(id);
    return row;
  }

  private notFound(id: string): ProblemException {
    return ProblemException.notFound(`Webhook ${id} does not exist.`);
  }
}
