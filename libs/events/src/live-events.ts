import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { RedisConnections } from '@strata/core';
import type Redis from 'ioredis';
import { EventFanOut } from './event-fanout';
import { EventStream } from './event-stream';
import { OutgoingEvent } from './outgoing-event';

/** How many recent event ids are remembered, so an event that comes both ways is sent once. */
const REMEMBERED_IDS = 1000;

/**
 * This instance's end of the fan-out: one Redis subscription, shared by every subscriber the
 * instance serves. Each message is parsed once and handed to the fan-out with the publisher's
 * JSON, which becomes the frame as it is.
 *
 * Pub/sub delivers at most once: while the subscription is down (Redis restarting), what the
 * relay publishes is lost to it, and open streams would never know. So once the subscription is
 * back, the events published since the last one seen here are read from the recent window (the
 * relay writes there before it publishes) and sent, each id once.
 */
@Injectable()
export class LiveEvents implements OnApplicationBootstrap {
  private readonly logger = new Logger(LiveEvents.name);
  private subscriber?: Redis;
  private subscribedBefore = false;
  private lastId?: string;
  private readonly seen = new Set<string>();
  private readonly seenOrder: string[] = [];

  constructor(
    private readonly redis: RedisConnections,
    private readonly stream: EventStream,
    private readonly fanOut: EventFanOut,
  ) {}

  onApplicationBootstrap(): void {
    // A subscriber must queue its SUBSCRIBE until connected and must not time out while idle.
    this.subscriber = this.redis.createSubscriber('events-subscriber', { enableOfflineQueue: true, commandTimeout: undefined, maxRetriesPerRequest: null });
    this.subscriber.on('message', (_channel: string, message: string) => {
      const event = OutgoingEvent.fromJson(message);
      if (event) this.deliver(event);
    });
    this.subscriber.on('ready', () => {
      if (this.subscribedBefore) void this.catchUp();
    });
    void this.subscribe();
  }

  private async subscribe(): Promise<boolean> {
    try {
      // After a reconnect ioredis has queued its own resubscription ahead of this one on the
      // same connection, so this resolves once messages flow again.
      await this.subscriber!.subscribe(this.stream.channel);
      this.subscribedBefore = true;
      return true;
    } catch (error) {
      this.logger.warn(`Live events subscription failed: ${(error as Error).message}`);
      return false;
    }
  }

  /** Sends what was published while the subscription was down. */
  private async catchUp(): Promise<void> {
    if (!(await this.subscribe()) || this.lastId === undefined) return;
    try {
      for (const event of await this.stream.since(this.lastId)) this.deliver(event);
    } catch (error) {
      this.logger.warn(`Live events published during the Redis outage could not be read back: ${(error as Error).message}`);
    }
  }

  private deliver(event: OutgoingEvent): void {
    if (this.seen.has(event.id)) return;
    this.seen.add(event.id);
    this.seenOrder.push(event.id);
    if (this.seenOrder.length > REMEMBERED_IDS) this.seen.delete(this.seenOrder.shift()!);
    this.lastId = event.id;
    this.fanOut.publish(event);
  }
}
