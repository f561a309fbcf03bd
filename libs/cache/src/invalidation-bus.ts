import { Logger } from '@nestjs/common';
import type { RedisClient } from '@strata/core';
import type Redis from 'ioredis';

/** What to drop from L1: keys, tags, key prefixes, or everything. */
export interface Invalidation {
  keys?: string[];
  tags?: string[];
  prefixes?: string[];
  all?: boolean;
  /**
   * Tags whose loads in flight must not store what they read, while nothing cached under them is
   * dropped: a write that changes only some of a kind's lists stops every list load of the kind
   * that may have read the database before its commit.
   */
  loads?: string[];
}

interface BusMessage extends Invalidation {
  /** The instance that published it (it has already applied it locally). */
  origin: string;
  /** When the origin's sequence began (ms): a peer that subscribed before it can expect seq 1. */
  since: number;
  /**
   * The origin's message number, 1, 2, 3… with no hole. A heartbeat repeats the last number
   * assigned, so a message the origin gave up on is noticed even when nothing follows it.
   */
  seq: number;
  heartbeat?: true;
}

/**
 * Attempts at publishing one message while the connection is up (a reply that came too late, a
 * busy Redis) before the origin gives up on it; peers then see the gap. With the connection
 * down there is no retry: every peer is cut off from Redis too, or sees the gap.
 */
const PUBLISH_ATTEMPTS = 4;
const RETRY_DELAYS_MS = [20, 100, 400];
/** How often each instance tells its peers the last sequence number it assigned. */
export const BUS_HEARTBEAT_MS = 1000;
/** A peer not heard from for this long (not even a heartbeat) is forgotten. */
const PEER_FORGOTTEN_MS = 60_000;
/** Clearing L1 after a gap is logged at most this often (a storm of gaps is one line, with its count). */
const GAP_LOG_EVERY_MS = 10_000;

interface PeerState {
  seq: number;
  since: number;
  heardAt: number;
}

/**
 * Drops L1 copies on every instance through Redis pub/sub. Pub/sub delivers at most once, so
 * every message carries its origin's sequence number: a receiver that sees a number skipped
 * (a message lost, or given up on by its publisher after retries) cannot know what it missed and
 * clears its whole L1. Publishes go out in order on one connection; one that fails while the
 * connection is up is retried in the background (arriving late, after a later number: peers clear
 * L1 on the apparent gap, then apply it as a duplicate); heartbeats carry the last number so a
 * message given up on is noticed within a second even if nothing follows it. A
 * subscriber that reconnects may have missed messages too: it clears L1 then. Together: no L1
 * keeps serving a value that a committed write invalidated for longer than about a heartbeat
 * once Redis carries messages again. Pub/sub channels are not covered by the connection's key
 * prefix, so the channel name carries it (deployments sharing a Redis stay apart).
 */
export class InvalidationBus {
  private readonly logger = new Logger(InvalidationBus.name);
  private readonly channel: string;
  private readonly since = Date.now();
  private seq = 0;
  private readonly peers = new Map<string, PeerState>();
  private subscribedAt = Number.POSITIVE_INFINITY;
  private connectedBefore = false;
  private listening = false;
  private readonly heartbeat: NodeJS.Timeout;
  private gapsSinceLog = 0;
  private lastGapLogAt = 0;
  private lastGiveUpLogAt = 0;
  private lastError = '';
  /** Gaps seen since start (reconnects included), for tests and health views. */
  gapsDetected = 0;

  constructor(
    private readonly publisher: RedisClient,
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
    this.heartbeat = setInterval(() => void this.send({ origin, since: this.since, seq: this.seq, heartbeat: true }), BUS_HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** The bus channel's name (tests publish on it directly). */
  get channelName(): string {
    return this.channel;
  }

  /** Subscribed, and L1 already cleared if this followed a gap. */
  get subscribed(): boolean {
    return this.listening && this.subscriber.status === 'ready';
  }

  /**
   * Resolves once the first attempt is answered: a write waits for at most one command timeout,
   * never for retries (which go on in the background) nor for a Redis that is down.
   */
  async publish(invalidation: Invalidation): Promise<void> {
    const message: BusMessage = { ...invalidation, origin: this.origin, since: this.since, seq: ++this.seq };
    if (await this.send(message)) return;
    void this.retry(JSON.stringify(message));
  }

  close(): void {
    clearInterval(this.heartbeat);
  }

  /** One attempt; false when it failed (a heartbeat is never retried: the next one says the same). */
  private async send(message: BusMessage | string): Promise<boolean> {
    try {
      await this.publisher.publish(this.channel, typeof message === 'string' ? message : JSON.stringify(message));
      return true;
    } catch (error) {
      this.lastError = (error as Error).message;
      return false;
    }
  }

  private async retry(text: string): Promise<void> {
    for (let attempt = 2; attempt <= PUBLISH_ATTEMPTS && this.publisher.status === 'ready'; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, RETRY_DELAYS_MS[attempt - 2]));
      if (await this.send(text)) return;
    }
    // Once per 10 s at most: through an outage every write would say it.
    const now = Date.now();
    if (now - this.lastGiveUpLogAt < GAP_LOG_EVERY_MS) return;
    this.lastGiveUpLogAt = now;
    this.logger.warn(`Cache invalidation could not be published (peers clear their L1 when they see the gap): ${this.lastError}`);
  }

  private async subscribe(): Promise<void> {
    try {
      await this.subscriber.subscribe(this.channel);
    } catch (error) {
      this.logger.warn(`Cache invalidation bus could not subscribe: ${(error as Error).message}`);
      return;
    }
    if (this.connectedBefore) {
      this.gap('the bus subscription was re-established');
      // L1 is empty now: every peer's numbering starts afresh from what arrives next.
      this.peers.clear();
    }
    this.connectedBefore = true;
    this.subscribedAt = Date.now();
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
    if (message.origin === this.origin) return;
    if (typeof message.seq === 'number') this.checkSequence(message);
    if (!message.heartbeat) this.apply(message);
  }

  private checkSequence(message: BusMessage): void {
    const now = Date.now();
    const known = this.peers.get(message.origin);
    // A peer that started after this instance subscribed should be heard from its first message.
    const expected = known && known.since === message.since ? known.seq + 1 : message.since > this.subscribedAt ? 1 : undefined;
    const last = message.heartbeat ? message.seq : message.seq - 1;
    if (expected !== undefined && last >= expected)
      this.gap(`instance ${message.origin} sent message ${message.seq}, the last one seen here was ${expected - 1}`);
    if (!known || known.since !== message.since || message.seq > known.seq)
      this.peers.set(message.origin, { seq: message.seq, since: message.since, heardAt: now });
    else known.heardAt = now;
    if (this.peers.size > 1) this.forgetSilentPeers(now);
  }

  private gap(reason: string): void {
    this.gapsDetected++;
    this.gapsSinceLog++;
    this.clearAfterGap();
    const now = Date.now();
    if (now - this.lastGapLogAt < GAP_LOG_EVERY_MS) return;
    this.logger.warn(
      `Cleared L1: invalidations may have been missed (${reason}${this.gapsSinceLog > 1 ? `; ${this.gapsSinceLog} gaps since the last such line` : ''})`,
    );
    this.lastGapLogAt = now;
    this.gapsSinceLog = 0;
  }

  private forgetSilentPeers(now: number): void {
    for (const [origin, peer] of this.peers) if (now - peer.heardAt > PEER_FORGOTTEN_MS) this.peers.delete(origin);
  }
}
