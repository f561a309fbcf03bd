import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import { AppConfig, MetricsService } from '@strata/core';
import { Counter, Gauge } from 'prom-client';
import { matchesEventPatterns } from './event-types';
import { HeapReclaim } from './heap-reclaim';
import type { LiveSubscriber } from './live-subscriber';
import type { OutgoingEvent } from './outgoing-event';

/**
 * How long one slice of fan-out may hold the event loop before it yields (setImmediate), so HTTP
 * requests, Redis replies and timers run between slices however many subscribers there are.
 * 1 ms rather than 4: at 5,000 subscribers, /health/live p50 during fan-out 3.0 against 5.5 ms
 * (SSE) and 2.3 against 5.2 ms (WebSocket), delivery no slower (bench/results/events.md).
 */
const SLICE_BUDGET_MS = 1;
/** The clock is read once per this many writes (reading it costs about as much as a small write). */
const WRITES_PER_CLOCK_READ = 32;

interface FilterGroup {
  patterns: readonly string[];
  members: Set<LiveSubscriber>;
}

/**
 * Every live-event subscriber of this instance, grouped by filter: an event is matched once per
 * distinct filter and serialized once, queued on each matching subscriber (a pointer to the
 * shared frame), and the subscribers with something queued are flushed in time-bounded slices
 * that yield between them. A subscriber reached after several events arrived gets them in one
 * socket write, so when the instance falls behind it writes less often, not more. Each
 * subscriber's queue keeps arrival order. The total per instance is bounded (EVENTS_MAX_SUBSCRIBERS).
 */
@Injectable()
export class EventFanOut implements BeforeApplicationShutdown {
  private readonly groups = new Map<string, FilterGroup>();
  /** Subscribers with queued events, in the order they got them. */
  private readonly dirty = new Set<LiveSubscriber>();
  /** A heartbeat round in progress: who is still to get one. */
  private heartbeatTargets: LiveSubscriber[] = [];
  private heartbeatNext = 0;
  private pumpScheduled = false;
  private count = 0;
  private readonly heartbeat: NodeJS.Timeout;
  /** Gives the heap back after a mass departure (see HeapReclaim). */
  private readonly reclaim = new HeapReclaim();
  /** Lifetime totals behind the metrics (and the bench's cost per subscriber). */
  readonly totals = { writes: 0, writeSeconds: 0, slices: 0, slowDisconnects: 0 };

  constructor(
    private readonly config: AppConfig,
    metrics: MetricsService,
  ) {
    this.heartbeat = setInterval(() => this.startHeartbeatRound(), config.events.heartbeatMs);
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
    this.reclaim.counted(this.count);
    subscriber.onClose(() => this.remove(subscriber, group));
    return true;
  }

  publish(event: OutgoingEvent): void {
    for (const group of this.groups.values()) {
      if (!matchesEventPatterns(group.patterns, event.type)) continue;
      for (const member of group.members) if (member.offer(event)) this.dirty.add(member);
    }
    if (this.dirty.size > 0) this.schedule();
  }

  /** Before the HTTP server closes: it would otherwise wait for these endless responses. */
  beforeApplicationShutdown(): void {
    clearInterval(this.heartbeat);
    this.reclaim.stop();
    this.dirty.clear();
    this.heartbeatTargets = [];
    for (const subscriber of this.all()) subscriber.close('the server is shutting down; reconnect with Last-Event-ID');
  }

  private startHeartbeatRound(): void {
    this.heartbeatTargets = this.all();
    this.heartbeatNext = 0;
    if (this.heartbeatTargets.length > 0) this.schedule();
  }

  private schedule(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => this.pump());
  }

  private pump(): void {
    this.pumpScheduled = false;
    const startedAt = performance.now();
    let frames = 0;
    let visited = 0;
    let outOfTime = false;
    for (const subscriber of this.dirty) {
      this.dirty.delete(subscriber);
      frames += subscriber.flush();
      if (++visited % WRITES_PER_CLOCK_READ === 0 && performance.now() - startedAt >= SLICE_BUDGET_MS) {
        outOfTime = true;
        break;
      }
    }
    while (!outOfTime && this.heartbeatNext < this.heartbeatTargets.length) {
      this.heartbeatTargets[this.heartbeatNext++].heartbeat();
      if (++visited % WRITES_PER_CLOCK_READ === 0 && performance.now() - startedAt >= SLICE_BUDGET_MS) outOfTime = true;
    }
    if (this.heartbeatNext >= this.heartbeatTargets.length) this.heartbeatTargets = [];
    this.totals.writes += frames;
    this.totals.writeSeconds += (performance.now() - startedAt) / 1000;
    this.totals.slices++;
    if (this.dirty.size > 0 || this.heartbeatTargets.length > 0) this.schedule();
  }

  private remove(subscriber: LiveSubscriber, group: FilterGroup): void {
    if (!group.members.delete(subscriber)) return;
    this.count--;
    this.reclaim.counted(this.count);
    this.dirty.delete(subscriber);
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
      help: 'Event frames written to subscribers (one per subscriber per event)',
      registers: [metrics.registry],
      collect() {
        this.reset();
        this.inc(fanOut.totals.writes);
      },
    });
    new Counter({
      name: 'strata_events_fanout_seconds_total',
      help: 'Time spent writing events and heartbeats to subscribers (divide by the frames for the cost per subscriber and event)',
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
