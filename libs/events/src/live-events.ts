import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { RedisConnections } from '@strata/core';
import type Redis from 'ioredis';
import { EventFanOut } from './event-fanout';
import { EventStream } from './event-stream';
import { OutgoingEvent } from './outgoing-event';

/**
 * This instance's end of the fan-out: one Redis subscription, shared by every subscriber the
 * instance serves. Each message is parsed once and handed to the fan-out with the publisher's
 * JSON, which becomes the frame as it is. ioredis resubscribes by itself after a reconnect.
 */
@Injectable()
export class LiveEvents implements OnApplicationBootstrap {
  private readonly logger = new Logger(LiveEvents.name);
  private subscriber?: Redis;

  constructor(
    private readonly redis: RedisConnections,
    private readonly stream: EventStream,
    private readonly fanOut: EventFanOut,
  ) {}

  onApplicationBootstrap(): void {
    // A subscriber must queue its SUBSCRIBE until connected and must not time out while idle.
    this.subscriber = this.redis.create('events-subscriber', { enableOfflineQueue: true, commandTimeout: undefined, maxRetriesPerRequest: null });
    this.subscriber.on('message', (_channel: string, message: string) => {
      const event = OutgoingEvent.fromJson(message);
      if (event) this.fanOut.publish(event);
    });
    this.subscriber.subscribe(this.stream.channel).catch((error: Error) => this.logger.warn(`Live events subscription failed: ${error.message}`));
  }
}
