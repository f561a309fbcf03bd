import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import { AppConfig, MetricsService } from '@strata/core';
import { Counter, Gauge } from 'prom-client';
import { matchesEventPatterns } from './event-types';
import type { LiveSubscriber } from './live-subscriber';
import type { OutgoingEvent } from './outgoing-event';

/**
 * How long one slice of fan-out may hold the event loop before it yields (setImmediate), so HTTP
 * requests, Redis replies and timers run between slices however many subscribers there are.
 */
const SLICE_BUDGET_MS = 4;
/** The clock is read once per this many writes (reading it costs about as much as a small write). */
const WRITES_PER_CLOCK_READ = 32;

interface FilterGroup {
  patterns: readonly string[];
  members: Set<LiveSubscriber>;
}

/** One event (or heartbeat round) being handed to the subscribers it had when it arrived. */
interface Delivery {
  event?: OutgoingEvent;
  targets: LiveSubscriber[];
  next: number;
}

/**
 * Every live-event subscriber of this instance, grouped by filter: an event is matched once per
 * distinct filter and serialized once, then written to the matching subscribers in time-bounded
 * slices that yield between them. Deliveries run in arrival order, so each subscriber sees events
 * in the order they came. The total per instance is bounded (EVENTS_MAX_SUBSCRIBERS).
 */
@Injectable()
export class EventFanOut implements BeforeApplicationShutdown {
  private readonly groups = new Map<string, FilterGroup>();
  private readonly deliveries: Delivery[] = [];
  private pumpScheduled = false;
  private count = 0;
  private readonly heartbeat: NodeJS.Timeout;
  /** Lifetime totals behind the metrics (and the bench's cost per subscriber). */
  readonly totals = { writes: 0, writeSeconds: 0, slices: 0, slowDisconnects: 0 };

  constructor(
    private readonly config: AppConfig,
    metrics: MetricsService,
  ) {
    this.heartbeat = setInterval(() => this.enqueue(undefined, this.all()), config.events.heartbeatMs);
    this.heartbeat.unref();
    this.registerMetrics(metrics);
  }

  get size(): number {
    return this.count;
  }

  get capacity(): number {
    return this.config.events.maxSubscribers;
  }

  /** Every subscriber, for inspection (buffered bytes) and shutdown. */
  all(): LiveSubscriber[] {
    const everyone: LiveSubscriber[] = [];
    for (const group of this.groups.values()) for (const member of group.members) everyone.push(member);
    return everyone;
  }

  /** Registers a subscriber; false when the instance is full (the caller answers 503). */
  add(subscriber: LiveSubscriber): boolean {
    if (this.count >= this.capacity || subscriber.isClosed) return false;
    let group = this.groups.get(subscriber.filterKey);
    if (!group) {
      group = { patterns: subscriber.patterns, members: new Set() };
      this.groups.set(subscriber.filterKey, group);
    }
    group.members.add(subscriber);
    this.count++;
    subscriber.onClose(() => this.remove(subscriber, group));
    return true;
  }

  publish(event: OutgoingEvent): void {
    const targets: LiveSubscriber[] = [];
    for (const group of this.groups.values()) {
      if (!matchesEventPatterns(group.patterns, event.type)) continue;
      for (const member of group.members) targets.push(member);
    }
    if (targets.length > 0) this.enqueue(event, targets);
  }

  /** Before the HTTP server closes: it would otherwise wait for these endless responses. */
  beforeApplicationShutdown(): void {
    clearInterval(this.heartbeat);
    this.deliveries.length = 0;
    for (const subscriber of this.all()) subscriber.close('the server is shutting down; reconnect with Last-Event-ID');
  }

  private enqueue(event: OutgoingEvent | undefined, targets: LiveSubscriber[]): void {
    if (targets.length === 0) return;
    this.deliveries.push({ event, targets, next: 0 });
    this.schedule();
  }

  private schedule(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => this.pump());
  }

  private pump(): void {
    this.pumpScheduled = false;
    const startedAt = performance.now();
    let writes = 0;
    let elapsed = 0;
    while (this.deliveries.length > 0) {
      const delivery = this.deliveries[0];
      const { event, targets } = delivery;
      while (delivery.next < targets.length) {
        const subscriber = targets[delivery.next++];
        if (event) subscriber.deliver(event);
        else subscriber.heartbeat();
        if (++writes % WRITES_PER_CLOCK_READ === 0 && (elapsed = performance.now() - startedAt) >= SLICE_BUDGET_MS) break;
      }
      if (delivery.next >= targets.length) this.deliveries.shift();
      if (elapsed >= SLICE_BUDGET_MS) break;
    }
    this.totals.writes += writes;
    this.totals.writeSeconds += (performance.now() - startedAt) / 1000;
    this.totals.slices++;
    if (this.deliveries.length > 0) this.schedule();
  }

  private remove(subscriber: LiveSubscriber, group: FilterGroup): void {
    if (!group.members.delete(subscriber)) return;
    this.count--;
    if (subscriber.disconnectedAsSlow) this.totals.slowDisconnects++;
    if (group.members.size === 0 && this.groups.get(subscriber.filterKey) === group) this.groups.delete(subscriber.filterKey);
  }

  private registerMetrics(metrics: MetricsService): void {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- prom-client calls collect() with the metric as `this`.
    const fanOut = this;
    new Gauge({
      name: 'strata_events_subscribers',
      help: 'Live-event subscribers (SSE and WebSocket) connected to this instance',
      registers: [metrics.registry],
      collect() {
        this.set(fanOut.size);
      },
    });
    new Gauge({
      name: 'strata_events_buffered_bytes',
      help: 'Bytes waiting on this instance for live-event subscribers (queues and socket buffers)',
      registers: [metrics.registry],
      collect() {
        this.set(fanOut.all().reduce((sum, subscriber) => sum + subscriber.bufferedBytes, 0));
      },
    });
    new Counter({
      name: 'strata_events_fanout_writes_total',
      help: 'Events and heartbeats handed to subscribers (one per subscriber per event)',
      registers: [metrics.registry],
      collect() {
        this.reset();
        this.inc(fanOut.totals.writes);
      },
    });
    new Counter({
      name: 'strata_events_fanout_seconds_total',
      help: 'Time spent handing events to subscribers (divide by the writes for the cost per subscriber)',
      registers: [metrics.registry],
      collect() {
        this.reset();
        this.inc(fanOut.totals.writeSeconds);
      },
    });
    new Counter({
      name: 'strata_events_slow_disconnects_total',
      help: 'Subscribers disconnected because their buffer limit was reached',
      registers: [metrics.registry],
      collect() {
        this.reset();
        this.inc(fanOut.totals.slowDisconnects);
      },
    });
  }
}
