import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { RedisConnections } from '@strata/core';
import type Redis from 'ioredis';
import type { DomainEvent } from './domain-event';
import { EventStream } from './event-stream';

export type LiveEventListener = (event: DomainEvent) => void;

/**
 * This instance's end of the fan-out: one Redis subscription, shared by every SSE client the
 * instance serves. ioredis resubscribes by itself after a reconnect.
 */
@Injectable()
export class LiveEvents implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(LiveEvents.name);
  private readonly listeners = new Set<LiveEventListener>();
  private subscriber?: Redis;

  constructor(
    private readonly redis: RedisConnections,
    private readonly stream: EventStream,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // A subscriber must queue its SUBSCRIBE until connected and must not time out while idle.
    this.subscriber = this.redis.create('events-subscriber', { enableOfflineQueue: true, commandTimeout: undefined, maxRetriesPerRequest: null });
    this.subscriber.on('message', (_channel: string, message: string) => this.dispatch(message));
    this.subscriber.subscribe(this.stream.channel).catch((error: Error) => this.logger.warn(`Live events subscription failed: ${error.message}`));
  }

  onApplicationShutdown(): void {
    this.listeners.clear();
  }

  /** Returns the unsubscribe function. */
  listen(listener: LiveEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private dispatch(message: string): void {
    let event: DomainEvent;
    try {
      event = JSON.parse(message) as DomainEvent;
    } catch {
      return;
    }
    for (const listener of this.listeners) listener(event);
  }
}
