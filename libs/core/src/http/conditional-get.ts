import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { withoutEncodingSuffix } from './etag-encoding';

/** The tags of a conditional header (If-None-Match, If-Match, If-Range), without the content-coding suffix compression added. */
export function listedEtags(header: string): string[] {
  return header
    .split(',')
    .map((tag) => withoutEncodingSuffix(tag.trim()))
    .filter(Boolean);
}

/** If-None-Match uses weak comparison (RFC 9110 §13.1.2): `W/` prefixes are ignored. */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return listedEtags(header).some((tag) => tag === '*' || tag.replace(/^W\//, '') === etag);
}

/**
 * Sets `etag` on the reply; answers undefined (and 304, no body) when the client's
 * If-None-Match already has it, else `body`.
 */
export function withStrongEtag<T>(request: FastifyRequest, reply: FastifyReply, etag: string, body: T): T | undefined {
  reply.header('etag', etag);
  if (ifNoneMatchHits(request.headers['if-none-match'], etag)) {
    reply.status(304);
    return undefined;
  }
  return body;
}

/**
 * `withStrongEtag` for a resource that has no version column (webhook endpoints, API keys,
 * relationships): the tag is a digest of the representation itself, so any visible change
 * changes it. Content items use id + version instead.
 */
export function withRepresentationEtag<T>(request: FastifyRequest, reply: FastifyReply, body: T): T | undefined {
  return withStrongEtag(request, reply, `"${createHash('sha256').update(JSON.stringify(body)).digest('base64url').slice(0, 32)}"`, body);
}
