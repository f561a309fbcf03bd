import { Logger } from '@nestjs/common';
import type Redis from 'ioredis';

/** What to drop from L1: keys, tags, key prefixes, or everything. */
export interface Invalidation {
  keys?: string[];
  tags?: string[];
  prefixes?: string[];
  all?: boolean;
}

interface BusMessage extends Invalidation {
  /** The instance that published it (it has already applied it locally). */
  origin: string;
}

/**
 * Drops L1 copies on every instance through Redis pub/sub. Pub/sub channels are not covered by
 * the connection's key prefix, so the channel name carries it (deployments sharing a Redis
 * stay apart). A subscriber that reconnects may have missed messages: it clears L1 then.
 */
export class InvalidationBus {
  private readonly logger = new Logger(InvalidationBus.name);
  private readonly channel: string;
  private connectedBefore = false;
  private listening = false;

  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly origin: string,
    private readonly apply: (invalidation: Invalidation) => void,
    private readonly clearAfterGap: () => void,
  ) {
    this.channel = `${publisher.options.keyPrefix ?? ''}cache:invalidate`;
    subscriber.on('ready', () => void this.subscribe());
    subscriber.on('close', () => (this.listening = false));
    subscriber.on('message', (channel: string, text: string) => this.receive(channel, text));
    if (subscriber.status === 'ready') void this.subscribe();
  }

  /** Subscribed, and L1 already cleared if this followed a gap. */
  get subscribed(): boolean {
    return this.listening && this.subscriber.status === 'ready';
  }

  async publish(invalidation: Invalidation): Promise<void> {
    try {
      await this.publisher.publish(this.channel, JSON.stringify({ ...invalidation, origin: this.origin } satisfies BusMessage));
    } catch (error) {
      // Peers that missed this are disconnected too, and clear their L1 when they reconnect.
      this.logger.warn(`Cache invalidation could not be published: ${(error as Error).message}`);
    }
  }

  private async subscribe(): Promise<void> {
    try {
      await this.subscriber.subscribe(this.channel);
    } catch (error) {
      this.logger.warn(`Cache invalidation bus could not subscribe: ${(error as Error).message}`);
      return;
    }
    if (this.connectedBefore) this.clearAfterGap();
    this.connectedBefore = true;
    this.listening = true;
  }

  private receive(channel: string, text: string): void {
    if (channel !== this.channel) return;
    let message: BusMessage;
    try {
      message = JSON.parse(text) as BusMessage;
    } catch {
      return;
    }
    if (message.origin !== this.origin) this.apply(message);
  }
}
