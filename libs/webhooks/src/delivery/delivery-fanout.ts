import { Injectable, OnModuleInit } from '@nestjs/common';
import { DomainEvent, matchesEventPatterns, OutboxSubscribers } from '@strata/events';
import { v7 as uuidv7 } from 'uuid';
import type { EntityManager } from 'typeorm';
import { EndpointFilters, passesEndpointFilters } from '../endpoints/endpoint-filters';
import { DeliveryEnqueuer } from './delivery-enqueuer';

/**
 * An operational event (`webhook.endpoint.*`) is not sent to the endpoint it is about: as with
 * Svix's operational webhooks, a failing endpoint is told through the others (or the stream).
 */
function isAbout(event: DomainEvent, endpointId: string): boolean {
  return event.type.startsWith('webhook.endpoint.') && (event.data as { endpointId?: string } | null)?.endpointId === endpointId;
}

/**
 * Relay subscriber: for each relayed event, one delivery row per active endpoint whose event
 * patterns and filters (tags) match, written in the relay's transaction (so "relayed" and "has its deliveries" commit
 * together); the unique (event, endpoint) pair makes a re-relayed event a no-op. Rows are queued
 * once that transaction committed.
 */
@Injectable()
export class DeliveryFanout implements OnModuleInit {
  constructor(
    private readonly subscribers: OutboxSubscribers,
    private readonly enqueuer: DeliveryEnqueuer,
  ) {}

  onModuleInit(): void {
    this.subscribers.onRelay((manager, events) => this.createDeliveries(manager, events));
    this.subscribers.onRelayed(() => this.enqueuer.enqueuePending());
  }

  private async createDeliveries(manager: EntityManager, events: DomainEvent[]): Promise<void> {
    const endpoints: { id: string; events: string[]; filters: EndpointFilters }[] = await manager.query(
      `SELECT id, events, filters FROM webhook_endpoints WHERE active`,
    );
    if (endpoints.length === 0) return;
    const ids: string[] = [];
    const endpointIds: string[] = [];
    const eventIds: string[] = [];
    const types: string[] = [];
    const payloads: string[] = [];
    for (const event of events) {
      for (const endpoint of endpoints) {
        if (!matchesEventPatterns(endpoint.events, event.type) || !passesEndpointFilters(endpoint.filters, event.data) || isAbout(event, endpoint.id)) continue;
        ids.push(uuidv7());
        endpointIds.push(endpoint.id);
        eventIds.push(event.id);
        types.push(event.type);
        payloads.push(JSON.stringify(event));
      }
    }
    if (ids.length === 0) return;
    await manager.query(
      `INSERT INTO webhook_deliveries (id, endpoint_id, event_id, event_type, payload)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::varchar[], $4::varchar[], $5::jsonb[])
       ON CONFLICT (event_id, endpoint_id) DO NOTHING`,
      [ids, endpointIds, eventIds, types, payloads],
    );
  }
}
