import type { OutgoingEvent } from './outgoing-event';

/** How much one subscriber may have waiting for its socket before it is disconnected as too slow. */
export interface SubscriberLimits {
  maxBytes: number;
  maxEvents: number;
}

/**
 * One live-event subscriber, whatever its transport (SSE, WebSocket). Frames go straight to the
 * socket while it accepts them; once `write()` says the socket is full the subscriber waits for
 * 'drain' and queues meanwhile, within its limits. A subscriber whose queue would pass a limit is
 * disconnected with the reason and the last event it was sent, so it can resume from there:
 * server memory for it is bounded by its limits plus one socket high-water mark.
 */
export abstract class LiveSubscriber {
  /** The same patterns in any order or repetition share one key (and one match per event). */
  readonly filterKey: string;
  /** The id of the last event handed to the socket (what the client resumes after). */
  lastEventId?: string;
  /** Set when the subscriber was disconnected for reaching its buffer limit. */
  disconnectedAsSlow = false;
  private queue: OutgoingEvent[] = [];
  private queueHead = 0;
  private queuedBytes = 0;
  private waitingForDrain = false;
  /** Live events wait while the replay of missed ones is being read. */
  private holding = false;
  private closed = false;
  private readonly closeListeners: Array<() => void> = [];

  protected constructor(
    readonly patterns: readonly string[],
    private readonly limits: SubscriberLimits,
  ) {
    this.filterKey = [...new Set(patterns)].sort().join(',');
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Bytes held for this subscriber on the server: its queue and what its socket has not sent yet. */
  get bufferedBytes(): number {
    return this.queuedBytes + (this.closed ? 0 : this.transportBufferedBytes());
  }

  get queuedEvents(): number {
    return this.queue.length - this.queueHead;
  }

  /**
   * Queues an event for the next `flush`; true when the subscriber needs one (false while its
   * socket is full or its replay is being read: it flushes itself when that ends). The limits
   * apply to what waits on the subscriber itself (a full socket, a replay), not to a burst the
   * fan-out has yet to write, whose frames every subscriber shares anyway.
   */
  offer(event: OutgoingEvent): boolean {
    if (this.closed) return false;
    const blocked = this.waitingForDrain || this.holding;
    this.enqueue(event, blocked);
    return !blocked && !this.closed;
  }

  /**
   * Writes what is queued in as few socket writes as the socket takes (a subscriber the fan-out
   * reaches late gets its backlog in one go, as long as it fits under the socket's high-water
   * mark); answers how many frames went out.
   */
  flush(): number {
    if (this.closed || this.waitingForDrain || this.holding || this.queuedEvents === 0) return 0;
    let written = 0;
    while (!this.closed && !this.waitingForDrain && this.queueHead < this.queue.length) {
      const batch = this.takeBatch();
      written += batch.length;
      this.write(batch);
    }
    if (this.queueHead === this.queue.length) {
      this.queue = [];
      this.queueHead = 0;
    } else if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.queueHead);
      this.queueHead = 0;
    }
    return written;
  }

  /** Keeps proxies from closing an idle connection; skipped while frames are waiting anyway. */
  heartbeat(): void {
    if (!this.closed && !this.waitingForDrain && this.queuedEvents === 0) this.sendHeartbeat();
  }

  /** From now on live events wait in the queue (within the limits) until `release`. */
  hold(): void {
    this.holding = true;
  }

  /**
   * Sends the replayed events, then the live ones that arrived meanwhile except those the replay
   * already held. The replay is bounded by the replay window, not by the subscriber's limits.
   */
  release(replayed: readonly OutgoingEvent[]): void {
    if (this.closed) return;
    const replayedIds = new Set(replayed.map((event) => event.id));
    const live = this.queue.slice(this.queueHead).filter((event) => !replayedIds.has(event.id));
    this.queue = [];
    this.queueHead = 0;
    this.queuedBytes = 0;
    for (const event of replayed) this.enqueue(event, false);
    for (const event of live) this.enqueue(event, false);
    this.holding = false;
    this.flush();
  }

  /** Calls `listener` once, when the subscriber is gone (client left, too slow, or shut down). */
  onClose(listener: () => void): void {
    if (this.closed) listener();
    else this.closeListeners.push(listener);
  }

  /** Ends the subscription, telling the client why when the transport can. */
  close(reason?: string): void {
    if (this.closed) return;
    this.closed = true;
    this.queue = [];
    this.queueHead = 0;
    this.queuedBytes = 0;
    this.finish(reason);
    for (const listener of this.closeListeners.splice(0)) listener();
  }

  /** The transport went away by itself (the client disconnected). */
  protected transportClosed(): void {
    this.close();
  }

  /** Writes these frames, in order; false when the socket wants the writer to wait for 'drain'. */
  protected abstract writeFrames(events: readonly OutgoingEvent[]): boolean;
  protected abstract frameSize(event: OutgoingEvent): number;
  /** Bytes the socket takes before it is full (its high-water mark less what waits in it). */
  protected abstract transportRoom(): number;
  protected abstract transportBufferedBytes(): number;
  protected abstract onceDrained(resume: () => void): void;
  protected abstract sendHeartbeat(): void;
  /** Says why (when there is a reason), then ends the connection and frees its socket. */
  protected abstract finish(reason?: string): void;

  /** The next frames to write: at least one, then as many as fit in the socket's room. */
  private takeBatch(): OutgoingEvent[] {
    const start = this.queueHead;
    const room = this.transportRoom();
    let bytes = 0;
    do {
      const size = this.frameSize(this.queue[this.queueHead++]);
      bytes += size;
      this.queuedBytes -= size;
    } while (this.queueHead < this.queue.length && bytes + this.frameSize(this.queue[this.queueHead]) <= room);
    return start === 0 && this.queueHead === this.queue.length ? this.queue : this.queue.slice(start, this.queueHead);
  }

  private write(batch: readonly OutgoingEvent[]): void {
    this.lastEventId = batch[batch.length - 1].id;
    if (this.writeFrames(batch)) return;
    this.waitingForDrain = true;
    this.onceDrained(() => {
      this.waitingForDrain = false;
      this.flush();
    });
  }

  private enqueue(event: OutgoingEvent, enforceLimits: boolean): void {
    const size = this.frameSize(event);
    if (enforceLimits && (this.queuedEvents + 1 > this.limits.maxEvents || this.queuedBytes + size > this.limits.maxBytes)) {
      this.disconnectSlow();
      return;
    }
    this.queue.push(event);
    this.queuedBytes += size;
  }

  private disconnectSlow(): void {
    this.disconnectedAsSlow = true;
    this.close(
      `too slow: ${this.queuedEvents} events (${this.queuedBytes} bytes) were waiting for this connection, the limit is ` +
        `${this.limits.maxEvents} events or ${this.limits.maxBytes} bytes; reconnect with Last-Event-ID: ${this.lastEventId ?? '(none sent yet)'}`,
    );
  }
}
