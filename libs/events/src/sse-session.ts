import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { LiveSubscriber, SubscriberLimits } from './live-subscriber';
import { asHttpChunk, OutgoingEvent } from './outgoing-event';

/** How long a disconnected client may take to read the final comment before its socket is destroyed. */
const FINAL_FLUSH_MS = 5000;
const HEARTBEAT = Buffer.from(': heartbeat\n\n');
const HEARTBEAT_CHUNK = asHttpChunk(HEARTBEAT);

/**
 * One Server-Sent Events client: events with `id:` lines (the event id, which is what
 * `Last-Event-ID` sends back) and comment heartbeats. A disconnect the server decides ends with a
 * comment saying why.
 *
 * Once the response head is out, frames go straight to the socket, already framed as the HTTP
 * chunks `response.write()` would have made (shared by every subscriber, built once per event):
 * `response.write()` would frame each one again per subscriber (size line, CRLF, three buffered
 * writes), about half of the fan-out's JavaScript time per subscriber. The end of the response
 * (the last chunk) still goes through `response.end()`, after everything written here.
 */
export class SseSession extends LiveSubscriber {
  /** Set once the head and the first comment are written: from then on the socket takes the frames. */
  private started = false;

  constructor(
    private readonly response: ServerResponse,
    patterns: readonly string[],
    limits: SubscriberLimits,
  ) {
    super(patterns, limits);
    response.on('close', () => this.transportClosed());
  }

  /** Sends the response head and a first comment (which tells the client the subscription is in place). */
  start(headers: Record<string, string>): void {
    this.response.writeHead(200, headers);
    this.response.write(': connected\n\n');
    this.started = true;
  }

  /** The socket, once the head is written and while it is open; before that, writes go through the response. */
  private get socket(): Socket | undefined {
    return this.started && !this.response.destroyed ? (this.response.socket ?? undefined) : undefined;
  }

  protected writeFrames(events: readonly OutgoingEvent[]): boolean {
    const socket = this.socket;
    if (!socket) return events.reduce((accepted, event) => this.response.write(event.sse) && accepted, true);
    const chunked = this.response.chunkedEncoding;
    if (events.length === 1) return socket.write(chunked ? events[0].sseChunk : events[0].sse);
    // A backlog goes out as one chunk, as response.write() between cork() and uncork() would send it.
    const frames = events.map((event) => event.sse);
    return socket.write(chunked ? asHttpChunk(...frames) : Buffer.concat(frames));
  }

  protected frameSize(event: OutgoingEvent): number {
    return event.sse.length;
  }

  protected transportRoom(): number {
    const socket = this.socket;
    return socket ? socket.writableHighWaterMark - socket.writableLength : 0;
  }

  protected transportBufferedBytes(): number {
    // The response's own buffer plus its socket's.
    return this.response.writableLength;
  }

  protected onceDrained(resume: () => void): void {
    const socket = this.socket;
    if (socket) socket.once('drain', resume);
    else this.response.once('drain', resume);
  }

  protected sendHeartbeat(): void {
    this.writeBytes(HEARTBEAT, HEARTBEAT_CHUNK);
  }

  protected finish(reason?: string): void {
    if (this.response.destroyed || this.response.writableEnded) return;
    this.response.end(reason ? `: disconnected: ${reason.replace(/[\r\n]+/g, ' ')}\n\n` : undefined);
    // A client that stopped reading never takes the rest: its socket is not kept for it.
    const destroyLater = setTimeout(() => this.response.destroy(), FINAL_FLUSH_MS);
    destroyLater.unref();
    this.response.once('close', () => clearTimeout(destroyLater));
  }

  /** `frame` as the body bytes it is: one chunk on a chunked response (HTTP/1.1), as it is otherwise (HTTP/1.0). */
  private writeBytes(frame: Buffer, chunk: Buffer): boolean {
    const socket = this.socket;
    if (!socket) return this.response.write(frame);
    return socket.write(this.response.chunkedEncoding ? chunk : frame);
  }
}
