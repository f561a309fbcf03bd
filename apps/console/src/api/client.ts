import { problemFromResponse } from '@strata/client';
import { networkProblem } from './problem';

/**
 * The console's only way to the API: every request carries the signed-in key in a header
 * (never in a URL) and every failure becomes the typed client's StrataProblem (title, detail,
 * status). Same origin: the console is served by the Strata it manages.
 */
export interface ApiClient {
  get<T>(path: string, query?: Query): Promise<T>;
  /** A read with its ETag, for an update with If-Match. */
  getWithEtag<T>(path: string): Promise<{ body: T; etag: string | null }>;
  send<T>(method: 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, body?: unknown, headers?: Record<string, string>): Promise<T>;
  /** The raw response of a successful request (files, text, streams). */
  raw(path: string, init?: RequestInit): Promise<Response>;
  readonly key: string;
}

export type Query = Record<string, string | number | boolean | undefined | null>;

export const API_BASE = '/api/v1';

export function pathWithQuery(path: string, query: Query = {}): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `${path}?${text}` : path;
}

export function createApiClient(key: string, fetchImpl: typeof fetch = (input, init) => fetch(input, init)): ApiClient {
  async function raw(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${key}`);
    let response: Response;
    try {
      response = await fetchImpl(path.startsWith('/') ? path : `${API_BASE}/${path}`, { ...init, headers, cache: 'no-store' });
    } catch (error) {
      throw networkProblem(error);
    }
    if (!response.ok) throw await problemFromResponse(response);
    return response;
  }

  async function json<T>(response: Response): Promise<T> {
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  return {
    key,
    raw,
    async get<T>(path: string, query?: Query) {
      return json<T>(await raw(pathWithQuery(path, query)));
    },
    async getWithEtag<T>(path: string) {
      const response = await raw(path);
      return { body: await json<T>(response), etag: response.headers.get('etag') };
    },
    async send<T>(method: 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, body?: unknown, headers: Record<string, string> = {}) {
      const init: RequestInit = { method, headers: { ...headers } };
      if (body !== undefined) {
        init.body = JSON.stringify(body);
        (init.headers as Record<string, string>)['content-type'] = 'application/json';
      }
      return json<T>(await raw(path, init));
    },
  };
}
