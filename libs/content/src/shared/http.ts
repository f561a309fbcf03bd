import { nameCachedBody, withStrongEtag } from '@strata/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { etagFor, expectedVersionFromIfMatch } from './etag';
import type { ExpectedVersion } from './versioned-store';

/**
 * Cache-Control of reads served through the cache: clients may keep a copy but must revalidate
 * (cheap: a 304 from the server's cache); `private` because answers depend on the caller's key.
 */
export const CACHED_READ_CACHE_CONTROL = 'private, no-cache';

/** For a read answered with the cache's own object (a list, a search): see `nameCachedBody`. */
export function withCacheControl<T>(reply: FastifyReply, body: T): T {
  reply.header('cache-control', CACHED_READ_CACHE_CONTROL);
  nameCachedBody(reply, body);
  return body;
}

/**
 * Sets the strong ETag of a single resource; answers 304 (no body) when the client's
 * If-None-Match already has it.
 */
export function withEtag<T>(request: FastifyRequest, reply: FastifyReply, resource: { id: string; version: number }, body: T): T | undefined {
  reply.header('cache-control', CACHED_READ_CACHE_CONTROL);
  return withStrongEtag(request, reply, etagFor(resource.id, resource.version), body);
}

/** The version an `If-Match` header asks for (see `expectedVersionFromIfMatch`). */
export function expectedVersion(request: FastifyRequest, id: string): ExpectedVersion {
  const header = request.headers['if-match'];
  return expectedVersionFromIfMatch(Array.isArray(header) ? header.join(',') : header, id);
}

/** 201 Created: Location of the new resource and its ETag. */
export function created<T>(reply: FastifyReply, location: string, resource: { id: string; version: number }, body: T): T {
  reply.status(201).header('location', location).header('etag', etagFor(resource.id, resource.version));
  return body;
}
