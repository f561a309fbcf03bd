import { SseClient, SseMessage } from '../support/sse-client';

/**
 * The live event stream (SSE) read as the API guide tells a client to: when the server ends the
 * stream, connect again with `Last-Event-ID` set to the last id received, and Strata sends what
 * was missed first. Holds every message received over all its connections; `reconnects` counts
 * how often it had to resume (0 when the stream stayed open throughout).
 */
export class ResumingEventStream {
  reconnects = 0;
  /** One client per connection, the current one last. */
  private readonly clients: SseClient[] = [];
  private closed = false;

  private constructor(
    private readonly url: string,
    private readonly headers: Record<string, string>,
  ) {}

  static async open(url: string, headers: Record<string, string>): Promise<ResumingEventStream> {
    const stream = new ResumingEventStream(url, headers);
    await stream.connect();
    return stream;
  }

  get messages(): SseMessage[] {
    return this.clients.flatMap((client) => client.messages);
  }

  /** The ids received, each once (delivery is at least once: duplicates are allowed and folded). */
  ids(): Set<string> {
    return new Set(this.messages.map((message) => message.id).filter((id): id is string => id !== undefined));
  }

  close(): void {
    this.closed = true;
    this.clients.at(-1)?.close();
  }

  private async connect(): Promise<void> {
    const lastEventId = this.messages.at(-1)?.id;
    const client = await SseClient.connect(this.url, { ...this.headers, ...(lastEventId ? { 'last-event-id': lastEventId } : {}) });
    if (client.response?.statusCode !== 200) {
      client.close();
      throw new Error(`the event stream answered ${client.response?.statusCode}`);
    }
    this.clients.push(client);
    client.response.once('close', () => {
      if (this.closed) return;
      this.reconnects++;
      void this.reconnectSoon();
    });
  }

  private async reconnectSoon(): Promise<void> {
    for (let attempt = 0; !this.closed; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** attempt, 2000)));
      if (this.closed) return;
      try {
        return await this.connect();
      } catch {
        // Try again: an instance may be busy or restarting.
      }
    }
  }
}
