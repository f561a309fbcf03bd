import { EventSourceParserStream } from 'eventsource-parser/stream';
import { problemFromResponse } from './problem.js';
import { sleep } from './retry.js';

/** An event as Strata sends it on the stream and in webhook bodies. */
export interface StrataEvent {
  /** `evt_…`; also the SSE id that resumes the stream after it. */
  id: string;
  /** `page.created`, `media.uploaded`, … (GET /api/v1/event-types lists them with schemas). */
  type: string;
  timestamp: string;
  data: unknown;
}

export interface EventStreamOptions {
  /** Event types or patterns (`page.*`); all events when absent. */
  types?: string[];
  /** Start after this event id (a previous run's last one) instead of now. */
  lastEventId?: string;
  /** Ends the subscription: the loop over it returns. */
  signal?: AbortSignal;
  /** Wait before reconnecting when the server has not said (`retry:`). Doubles per failed attempt. Default 1000. */
  reconnectDelayMs?: number;
  /** The longest wait between reconnection attempts. Default 30 000. */
  maxReconnectDelayMs?: number;
}

/** What the stream needs from the client: where, with which key, through which fetch (retrying 429/503). */
export interface EventStreamConnection {
  baseUrl: string;
  headers: Headers;
  fetch: (request: Request) => Promise<Response>;
}

/**
 * Events from GET /api/v1/events (server-sent events read with fetch, so the key travels in a
 * header, never in the URL). A dropped connection is reopened with `Last-Event-ID`, and Strata
 * sends what was missed from its recent window, so the loop sees each event once and in order.
 * An answer that is not a stream (401, 403, or a 429 outlasting the retries) throws its
 * StrataProblem; aborting `signal` ends the loop.
 */
export async function* streamEvents(connection: EventStreamConnection, options: EventStreamOptions = {}): AsyncGenerator<StrataEvent, void, undefined> {
  const { signal } = options;
  let lastEventId = options.lastEventId;
  let reconnectDelayMs = options.reconnectDelayMs ?? 1000;
  const maxReconnectDelayMs = options.maxReconnectDelayMs ?? 30_000;
  let failures = 0;

  while (!signal?.aborted) {
    const response = await open(connection, options.types, lastEventId, signal).catch((error: unknown) => {
      if (signal?.aborted) return undefined;
      if (error instanceof TypeError) return undefined; // the network: try again below
      throw error;
    });
    if (response && !response.ok) throw await problemFromResponse(response);
    if (response?.body) {
      const messages = response.body
        .pipeThrough(new TextDecoderStream())
        .pipeThrough(new EventSourceParserStream({ onRetry: (ms) => (reconnectDelayMs = ms) }))
        .getReader();
      try {
        for (;;) {
          const { done, value } = await messages.read();
          if (done) break;
          failures = 0;
          if (value.id) lastEventId = value.id;
          yield JSON.parse(value.data) as StrataEvent;
        }
      } catch {
        // The connection dropped mid-stream (or was aborted): reconnect below unless aborted.
      } finally {
        await messages.cancel().catch(() => undefined);
      }
    }
    if (signal?.aborted) return;
    const wait = Math.min(reconnectDelayMs * 2 ** failures, maxReconnectDelayMs);
    failures++;
    try {
      await sleep(wait, signal);
    } catch {
      return;
    }
  }
}

function open(connection: EventStreamConnection, types: string[] | undefined, lastEventId: string | undefined, signal?: AbortSignal): Promise<Response> {
  const url = new URL(`${connection.baseUrl.replace(/\/+$/, '')}/api/v1/events`, pageUrl());
  if (types?.length) url.searchParams.set('types', types.join(','));
  const headers = new Headers(connection.headers);
  headers.set('accept', 'text/event-stream');
  if (lastEventId) headers.set('last-event-id', lastEventId);
  return connection.fetch(new Request(url, { headers, signal }));
}

/** In a browser, a relative baseUrl (`''`, `/strata`) is relative to the page. */
function pageUrl(): string | undefined {
  return (globalThis as { location?: { href?: string } }).location?.href;
}
