import type { ServerResponse } from 'node:http';
import { LiveSubscriber, SubscriberLimits } from './live-subscriber';
import type { OutgoingEvent } from './outgoing-event';

/** How long a disconnected client may take to read the final comment before its socket is destroyed. */
const FINAL_FLUSH_MS = 5000;
const HEARTBEAT = Buffer.from(': heartbeat\n\n');

/**
 * One Server-Sent Events client: events with `id:` lines (the event id, which is what
 * `Last-Event-ID` sends back) and comment heartbeats. A disconnect the server decides ends with a
 * comment saying why.
 */
export class SseSession extends LiveSubscriber {
  constructor(
    private readonly response: ServerResponse,
    patterns: readonly string[],
    limits: SubscriberLimits,
  ) {
    super(patterns, limits);
    response.on('close', () => this.transportClosed());
  }

  protected cork(): void {
    this.response.cork();
  }

  protected uncork(): void {
    this.response.uncork();
  }

  protected writeFrame(event: OutgoingEvent): boolean {
    return this.response.write(event.sse);
  }

  protected frameSize(event: OutgoingEvent): number {
    return event.sse.length;
  }

  protected transportBufferedBytes(): number {
    return this.response.writableLength;
  }

  protected onceDrained(resume: () => void): void {
    this.response.once('drain', resume);
  }

  protected sendHeartbeat(): void {
    this.response.write(HEARTBEAT);
  }

  protected finish(reason?: string): void {
    if (this.response.destroyed || this.response.writableEnded) return;
    this.response.end(reason ? `: disconnected: ${reason.replace(/[\r\n]+/g, ' ')}\n\n` : undefined);
    // A client that stopped reading never takes the rest: its socket is not kept for it.
    const destroyLater = setTimeout(() => this.response.destroy(), FINAL_FLUSH_MS);
    destroyLater.unref();
    this.response.once('close', () => clearTimeout(destroyLater));
  }
}
