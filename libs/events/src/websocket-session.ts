import type { WebSocket } from 'ws';
import { LiveSubscriber, SubscriberLimits } from './live-subscriber';
import type { OutgoingEvent } from './outgoing-event';

/** Past this many bytes waiting in the socket, the session waits for it to drain (as `write()` does at its high-water mark). */
const HIGH_WATER_BYTES = 16 * 1024;
/** How long a closing client may take to complete the close handshake before its socket is destroyed. */
const CLOSE_GRACE_MS = 5000;

/** WebSocket close codes: 4000 + the HTTP status they stand for, 1008 for a subscriber that fell behind. */
export const CLOSE_TOO_SLOW = 1008;
export const CLOSE_GOING_AWAY = 1001;

/**
 * One WebSocket client of the live events: each event is a text message holding the event's JSON
 * (the SSE `data:` line); control messages have a `type` without a dot (`ready`, `disconnect`,
 * `error`), which no event type lacks. Heartbeats are pings: a client that did not answer the
 * previous one with a pong is gone and is dropped.
 */
export class WebSocketSession extends LiveSubscriber {
  private resumeAfterDrain?: () => void;
  private awaitingPong = false;
  private readonly afterSend = () => {
    if (this.resumeAfterDrain && this.socket.bufferedAmount < HIGH_WATER_BYTES) {
      const resume = this.resumeAfterDrain;
      this.resumeAfterDrain = undefined;
      resume();
    }
  };

  constructor(
    private readonly socket: WebSocket,
    patterns: readonly string[],
    limits: SubscriberLimits,
  ) {
    super(patterns, limits);
    socket.on('close', () => this.transportClosed());
    socket.on('pong', () => (this.awaitingPong = false));
  }

  /** A control message (not an event). */
  sendControl(message: Record<string, unknown>): void {
    if (!this.isClosed) this.socket.send(JSON.stringify(message));
  }

  protected writeFrames(events: readonly OutgoingEvent[]): boolean {
    // One message per event (WebSocket frames cannot be joined); the drain check follows the last.
    const last = events.length - 1;
    for (let index = 0; index < last; index++) this.socket.send(events[index].text, { binary: false });
    this.socket.send(events[last].text, { binary: false }, this.afterSend);
    return this.socket.bufferedAmount < HIGH_WATER_BYTES;
  }

  protected transportRoom(): number {
    return HIGH_WATER_BYTES - this.socket.bufferedAmount;
  }

  protected frameSize(event: OutgoingEvent): number {
    return event.text.length;
  }

  protected transportBufferedBytes(): number {
    return this.socket.bufferedAmount;
  }

  protected onceDrained(resume: () => void): void {
    this.resumeAfterDrain = resume;
  }

  protected sendHeartbeat(): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    if (this.awaitingPong) {
      this.socket.terminate();
      return;
    }
    this.awaitingPong = true;
    this.socket.ping();
  }

  protected finish(reason?: string): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    if (reason) this.socket.send(JSON.stringify({ type: 'disconnect', reason, lastEventId: this.lastEventId ?? null }));
    this.socket.close(this.disconnectedAsSlow ? CLOSE_TOO_SLOW : CLOSE_GOING_AWAY, this.disconnectedAsSlow ? 'too slow' : 'going away');
    // A client that stopped reading never completes the close handshake: its socket is not kept for it.
    const destroyLater = setTimeout(() => this.socket.terminate(), CLOSE_GRACE_MS);
    destroyLater.unref();
    this.socket.once('close', () => clearTimeout(destroyLater));
  }
}
