import http, { IncomingMessage } from 'node:http';

export interface SseMessage {
  id?: string;
  event?: string;
  data: any;
}

/** A minimal real SSE client: connects, parses messages as they arrive, can be closed. */
export class SseClient {
  readonly messages: SseMessage[] = [];
  comments = 0;
  response?: IncomingMessage;
  private request?: http.ClientRequest;

  static async connect(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
    const client = new SseClient();
    await new Promise<void>((resolve, reject) => {
      client.request = http.get(url, { headers: { accept: 'text/event-stream', ...headers } }, (response) => {
        client.response = response;
        let buffer = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) !== -1) {
            client.parse(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
          }
        });
        // The first bytes (": connected") tell us the subscription is in place.
        response.once('data', () => resolve());
        response.once('end', () => resolve());
      });
      client.request.on('error', reject);
    });
    return client;
  }

  private parse(block: string): void {
    const message: SseMessage = { data: undefined };
    let isComment = true;
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue;
      isComment = false;
      const [field, ...rest] = line.split(':');
      const value = rest.join(':').replace(/^ /, '');
      if (field === 'id') message.id = value;
      else if (field === 'event') message.event = value;
      else if (field === 'data') message.data = JSON.parse(value);
    }
    if (isComment) this.comments++;
    else this.messages.push(message);
  }

  close(): void {
    this.request?.destroy();
  }
}
