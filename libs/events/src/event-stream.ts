import { Injectable } from '@nestjs/common';
import { AppConfig, RedisConnections } from '@strata/core';
import type { DomainEvent } from './domain-event';

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
    const failed = results?.find(([error]) => error);
    if (failed) throw failed[0];
  }

  /** The recent events published after `lastEventId`, oldest first; all of the window if it is unknown. */
  async since(lastEventId: string): Promise<DomainEvent[]> {
    const entries = await this.redis.client.xrange(this.recentKey, '-', '+');
    const events = entries.map(([, fields]) => JSON.parse(fields[fields.indexOf('event') + 1]) as DomainEvent);
    const position = events.findIndex((event) => event.id === lastEventId);
    return position === -1 ? events : events.slice(position + 1);
  }
}
