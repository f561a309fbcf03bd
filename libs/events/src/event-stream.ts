import { Injectable } from '@nestjs/common';
import { AppConfig, RedisConnections } from '@strata/core';
import type { DomainEvent } from './domain-event';
import type { LiveSubscriber } from './live-subscriber';
import { OutgoingEvent } from './outgoing-event';

/** Entries read per call when looking for a resume point. */
const SINCE_PAGE = 100;

/**
 * The Redis side of live events: a pub/sub channel that reaches every API instance, and a
 * bounded stream of recent events for `Last-Event-ID` resume. Channel and stream names carry
 * the deployment's key prefix (ioredis applies `keyPrefix` to keys, not to channels).
 */
@Injectable()
export class EventStream {
  readonly channel: string;
  private readonly recentKey = 'events:recent';

  constructor(
    private readonly redis: RedisConnections,
    private readonly config: AppConfig,
  ) {
    this.channel = `${redis.keyPrefix}events`;
  }

  /** Appends to the replay window and publishes; throws when Redis is down (the relay retries). */
  async publish(events: DomainEvent[]): Promise<void> {
    if (events.length === 0) return;
    const pipeline = this.redis.client.pipeline();
    for (const event of events) {
      const json = JSON.stringify(event);
      pipeline.xadd(this.recentKey, 'MAXLEN', '~', String(this.config.events.replayWindow), '*', 'id', event.id, 'event', json);
      pipeline.publish(this.channel, json);
    }
    const results = await pipeline.exec();
    const failed = results?.find(([error]) => error)?.[0];
    if (failed) throw failed;
  }

  /**
   * The recent events published after `lastEventId`, oldest first; all of the window if it is
   * unknown. Read newest first, a page at a time, so a client that missed little costs little
   * and no single Redis reply is large enough to run into the command timeout.
   */
  async since(lastEventId: string): Promise<OutgoingEvent[]> {
    const newestFirst: OutgoingEvent[] = [];
    let before = '+';
    for (;;) {
      const entries = await this.redis.client.xrevrange(this.recentKey, before, '-', 'COUNT', SINCE_PAGE);
      for (const [entryId, fields] of entries) {
        if (fields[fields.indexOf('id') + 1] === lastEventId) return newestFirst.reverse();
        const event = OutgoingEvent.fromJson(fields[fields.indexOf('event') + 1]);
        if (event) newestFirst.push(event);
        before = `(${entryId}`;
      }
      if (entries.length < SINCE_PAGE) return newestFirst.reverse();
    }
  }
}

/**
 * Sends a held subscriber what it missed after `lastEventId`, then the live events held meanwhile.
 * If the window cannot be read now, the subscriber is disconnected saying so rather than silently
 * missing events: it reconnects with the same Last-Event-ID.
 */
export async function resume(subscriber: LiveSubscriber, stream: EventStream, lastEventId: string): Promise<void> {
  let missed: OutgoingEvent[];
  try {
    missed = await stream.since(lastEventId);
  } catch {
    subscriber.close(`the events after ${lastEventId} could not be read right now; reconnect with Last-Event-ID: ${lastEventId}`);
    return;
  }
  subscriber.release(missed);
}
