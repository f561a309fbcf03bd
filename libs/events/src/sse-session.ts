import type { ServerResponse } from 'node:http';
import type { DomainEvent } from './domain-event';
import { matchesEventPatterns } from './event-types';

/**
 * One SSE client: writes matching events with `id:` lines (the event id, which is what
 * `Last-Event-ID` sends back), skips ids it has already written (replay and live overlap),
 * and keeps proxies from closing an idle stream with comment heartbeats.
 */
export class SseSession {
  private readonly sent = new Set<string>();
  private readonly heartbeat: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly response: ServerResponse,
    private readonly patterns: string[],
    heartbeatMs: number,
  ) {
    this.heartbeat = setInterval(() => this.write(': heartbeat\n\n'), heartbeatMs);
  }

  send(event: DomainEvent): void {
    if (this.closed || this.sent.has(event.id) || !matchesEventPatterns(this.patterns, event.type)) return;
    this.sent.add(event.id);
    // Only overlap between the replay and the first live events needs remembering.
    if (this.sent.size > 10_000) this.sent.clear();
    this.write(`id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    this.response.end();
  }

  private write(chunk: string): void {
    if (!this.closed) this.response.write(chunk);
  }
}
