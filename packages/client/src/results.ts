import { problemFrom } from './problem.js';

/** What every openapi-fetch call resolves to: `data` on success, `error` otherwise. */
export interface CallResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/**
 * The success body of a call, or its problem as an exception (StrataProblem, or its 412 and 429
 * subclasses). Retries of 429/503 have already happened in the client's fetch.
 *
 *   const page = await unwrap(strata.POST('/api/v1/pages', { body: { title: 'Hello', slug: 'hello' } }));
 */
export async function unwrap<T>(call: Promise<CallResult<T>> | CallResult<T>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) throw problemFrom(response, error);
  return data as T;
}

/**
 * The success body and its strong ETag: send it back as `If-Match` to change the resource only
 * if nobody else has since (otherwise the write throws PreconditionFailedError, 412).
 *
 *   const { data: page, etag } = await withETag(strata.GET('/api/v1/pages/{id}', { params: { path: { id } } }));
 *   await unwrap(strata.PATCH('/api/v1/pages/{id}', { params: { path: { id } }, headers: { 'If-Match': etag }, body: { title: 'New' } }));
 */
export async function withETag<T>(call: Promise<CallResult<T>> | CallResult<T>): Promise<{ data: T; etag: string; response: Response }> {
  const result = await call;
  const data = await unwrap(result);
  const etag = result.response.headers.get('etag');
  // Every single resource carries one; in a browser on another origin, Strata's CORS exposes it.
  if (!etag) throw new Error(`${result.response.url} answered without an ETag header`);
  return { data, etag, response: result.response };
}
