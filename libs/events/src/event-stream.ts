import { Injectable, Logger } from '@nestjs/common';
import { AppConfig, RedisConnections, UnreplicatedWrites } from '@strata/core';
import type { DomainEvent } from './domain-event';
import type { LiveSubscriber } from './live-subscriber';
import { OutgoingEvent } from './outgoing-event';

/** Entries read per call when looking for a resume point. */
const SINCE_PAGE = 100;
/** Delays between attempts to publish again what a lost master may have taken along. */
const RESTORE_RETRY_DELAYS_MS = [200, 1_000, 5_000];

/**
 * The Redis side of live events: a pub/sub channel that reaches every API instance, and a
 * bounded stream of recent events for `Last-Event-ID` resume. Channel and stream names carry
 * the deployment's key prefix (ioredis applies `keyPrefix` to keys, not to channels).
 */
@Injectable()
export class EventStream {
  private readonly logger = new Logger(EventStream.name);
  readonly channel: string;
  private readonly recentKey = 'events:recent';
  /** Events published just before a lost connection: the new master may lack them. */
  private readonly unreplicated: UnreplicatedWrites<DomainEvent>;

  constructor(
    private readonly redis: RedisConnections,
    private readonly config: AppConfig,
  ) {
    this.channel = `${redis.keyPrefix}events`;
    this.unreplicated = new UnreplicatedWrites<DomainEvent>(redis.client, (events) => void this.restore(events));
  }

  /** Appends to the replay window and publishes; throws when Redis is down (the relay retries). */
  async publish(events: DomainEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.append(events);
    for (const event of events) this.unreplicated.wrote(event);
  }

  private async append(events: DomainEvent[]): Promise<void> {
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
   * After the connection came back from a loss: the events published in the second before it
   * that the window lacks now (a master killed before replicating them; its promoted replica
   * never saw them, nor did streams reading from it) are appended and published again. Only
   * the missing ones: a second copy of an event in the window would make a resume from its id
   * stop at the newer copy and skip what lies between. Restored events land after any published
   * since the failover, so the window's order no longer matches the outbox's there; streams
   * receive them either way (at least once, as always).
   */
  private async restore(published: DomainEvent[], attempt = 0): Promise<void> {
    try {
      const present = await this.idsInWindow();
      const missing = [...new Map(published.map((event) => [event.id, event])).values()].filter((event) => !present.has(event.id));
      if (missing.length === 0) return;
      await this.append(missing);
      this.logger.warn(`Published again ${missing.length} live event(s) the Redis master lost before replicating them`);
    } catch (error) {
      const delay = RESTORE_RETRY_DELAYS_MS[attempt];
      if (delay === undefined) {
        this.logger.error(`Live events the Redis master may have lost could not be published again: ${(error as Error).message}`);
        return;
      }
      setTimeout(() => void this.restore(published, attempt + 1), delay).unref();
    }
  }

  /** Every event id in the recent-events window (read whole: done only after a lost connection). */
  private async idsInWindow(): Promise<Set<string>> {
    const ids = new Set<string>();
    for await (const fields of this.newestFirst()) ids.add(fields[fields.indexOf('id') + 1]);
    return ids;
  }

  /**
   * The recent events published after `lastEventId`, oldest first; all of the window if it is
   * unknown. Read newest first, a page at a time, so a client that missed little costs little
   * and no single Redis reply is large enough to run into the command timeout.
   */
  async since(lastEventId: string): Promise<OutgoingEvent[]> {
    const newestFirst: OutgoingEvent[] = [];
    for await (const fields of this.newestFirst()) {
      if (fields[fields.indexOf('id') + 1] === lastEventId) break;
      const event = OutgoingEvent.fromJson(fields[fields.indexOf('event') + 1]);
      if (event) newestFirst.push(event);
    }
    return newestFirst.reverse();
  }

  /** The window's entries (their fields), newest first, read a page at a time as they are asked for. */
  private async *newestFirst(): AsyncGenerator<string[]> {
    let before = '+';
    for (;;) {
      const entries = await this.redis.client.xrevrange(this.recentKey, before, '-', 'COUNT', SINCE_PAGE);
      for (const [entryId, fields] of entries) {
        before = `(${entryId}`;
        yield fields;
      }
      if (entries.length < SINCE_PAGE) return;
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
