import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import { streamEvents, type EventStreamOptions, type StrataEvent } from './events.js';
import type { paths } from './generated/schema.js';
import { DEFAULT_RETRY_POLICY, retryingFetch, type RetryPolicy } from './retry.js';

export interface StrataClientOptions {
  /** Where Strata answers, e.g. `http://localhost:3000` (`''` in a page Strata serves). */
  baseUrl: string;
  /** An `sk_…` key, sent as `Authorization: Bearer`. Omit for public routes only. */
  apiKey?: string;
  /** Retries of 429 and 503, honouring Retry-After; `false` turns them off. */
  retry?: Partial<RetryPolicy> | false;
  /** Another fetch (a test double, an instrumented one); the global fetch by default. */
  fetch?: (request: Request) => Promise<Response>;
  /** Headers sent with every request, besides the key. */
  headers?: Record<string, string>;
}

/**
 * The typed client: openapi-fetch's `GET`, `POST`, `PATCH`, … checked against Strata's OpenAPI
 * document (paths, parameters, bodies and answers), plus `events()` for the live event stream.
 */
export type StrataClient = Client<paths> & {
  /** Live events (server-sent events with Last-Event-ID resume); see streamEvents. */
  events(options?: EventStreamOptions): AsyncGenerator<StrataEvent, void, undefined>;
};

export function createStrataClient(options: StrataClientOptions): StrataClient {
  const baseFetch = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  const policy = options.retry === false ? { ...DEFAULT_RETRY_POLICY, retries: 0 } : { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const fetch = retryingFetch(baseFetch, policy);
  const headers = new Headers(options.headers);
  if (options.apiKey) headers.set('authorization', `Bearer ${options.apiKey}`);

  const clientOptions: ClientOptions = { baseUrl: options.baseUrl.replace(/\/+$/, ''), fetch, headers: Object.fromEntries(headers) };
  const client = createClient<paths>(clientOptions);
  return Object.assign(client, {
    events: (streamOptions?: EventStreamOptions) => streamEvents({ baseUrl: options.baseUrl, headers, fetch }, streamOptions),
  });
}
