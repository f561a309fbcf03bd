import type { ApiClient } from './client';

/** One Server-Sent Event as the stream carries it. */
export interface StreamedEvent {
  id: string | null;
  event: string;
  data: string;
}

/**
 * An incremental parser of the text/event-stream format: feed it chunks as they arrive (lines
 * may be split anywhere), get whole events back. Comments (`:` keep-alives) are skipped.
 */
export class EventStreamParser {
  private buffer = '';
  private data: string[] = [];
  private event = '';
  private id: string | null = null;

  push(chunk: string): StreamedEvent[] {
    this.buffer += chunk;
    const events: StreamedEvent[] = [];
    let newline: number;
    while ((newline = this.buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = this.buffer.slice(0, newline);
      const width = this.buffer.startsWith('\r\n', newline) ? 2 : 1;
      // A lone \r at the end of a chunk may be the first half of \r\n: wait for the next chunk.
      if (width === 1 && this.buffer[newline] === '\r' && newline === this.buffer.length - 1) break;
      this.buffer = this.buffer.slice(newline + width);
      const event = this.line(line);
      if (event) events.push(event);
    }
    return events;
  }

  private line(line: string): StreamedEvent | undefined {
    if (line === '') {
      if (this.data.length === 0) return undefined;
      const event = { id: this.id, event: this.event || 'message', data: this.data.join('\n') };
      this.data = [];
      this.event = '';
      return event;
    }
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field === 'id') this.id = value;
    return undefined;
  }
}

/**
 * Follows /api/v1/events with the key in a header. EventSource cannot send headers (and a key
 * in the URL would land in logs), so this is fetch with a streamed body. Reconnects after a drop
 * with Last-Event-ID, so events published meanwhile are still delivered (within the server's
 * recent window). Stops when `signal` aborts.
 */
export async function followEvents(
  api: ApiClient,
  onEvent: (event: StreamedEvent) => void,
  signal: AbortSignal,
  onState: (connected: boolean) => void,
): Promise<void> {
  let lastEventId: string | null = null;
  while (!signal.aborted) {
    try {
      const headers: Record<string, string> = { accept: 'text/event-stream' };
      if (lastEventId) headers['last-event-id'] = lastEventId;
      const response = await api.raw('events', { headers, signal });
      onState(true);
      const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
      const parser = new EventStreamParser();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        for (const event of parser.push(value)) {
          if (event.id) lastEventId = event.id;
          onEvent(event);
        }
      }
    } catch {
      // A dropped connection or an error answer: wait, then reconnect (the loop), unless stopped.
    }
    onState(false);
    if (!signal.aborted) await new Promise((resolve) => setTimeout(resolve, 3000));
  }
}
