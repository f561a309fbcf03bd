import { Negotiator } from '@fastify/accept-negotiator';
import type { CompressedRepresentations, ContentCoding } from '@strata/cache';
import { cachedBodyName } from '@strata/core';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** What @fastify/compress is registered with, and what this hook negotiates the same way. */
export const COMPRESSION = { encodings: ['br', 'gzip', 'deflate'] as Array<'br' | 'gzip' | 'deflate'>, threshold: 1024 };

type OnSend = (request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (error: Error | null, payload?: unknown) => void) => void;

/**
 * An onSend hook, placed ahead of @fastify/compress's, that answers a compressible 200 whose
 * bytes have a name (a strong ETag: items, relationships; or the cached object it was
 * serialized from: lists and searches) from CompressedRepresentations, compressed once per
 * representation rather than per request.
 * It negotiates exactly as @fastify/compress does (same codings, q-values, `x-gzip`, size
 * threshold); @fastify/compress then sees the Content-Encoding and leaves the body alone, and
 * still compresses everything else (deflate, bodies without a strong ETag).
 */
export function precompressedBodies(representations: CompressedRepresentations): OnSend {
  const codingFor = acceptedCodings();
  return (request, reply, payload, done) => {
    if (reply.statusCode !== 200 || (typeof payload !== 'string' && !Buffer.isBuffer(payload))) return done(null, payload);
    const etag = reply.getHeader('etag');
    const name = typeof etag === 'string' && !etag.startsWith('W/') ? etag : cachedBodyName(reply);
    if (name === undefined || reply.hasHeader('content-encoding')) return done(null, payload);
    if (!String(reply.getHeader('content-type') ?? '').startsWith('application/json')) return done(null, payload);
    if (Buffer.byteLength(payload) < COMPRESSION.threshold || request.headers['x-no-compression'] !== undefined) return done(null, payload);
    addVaryAcceptEncoding(reply);
    const coding = codingFor(request.headers['accept-encoding']);
    if (coding === undefined) return done(null, payload);
    const send = (bytes: Buffer) => {
      reply.header('content-encoding', coding);
      reply.header('content-length', bytes.length);
      done(null, bytes);
    };
    const encoded = representations.encode(request.routeOptions.url ?? request.url, name, coding, payload);
    if (Buffer.isBuffer(encoded)) return send(encoded);
    // Compression failing is no reason to fail the request: the identity body is as correct.
    encoded.then(send, () => done(null, payload));
  };
}

/**
 * The coding a request's Accept-Encoding picks among those kept compressed (br, gzip), or
 * undefined for identity (and for deflate, which @fastify/compress handles), decided once per
 * distinct header value: clients send few, and normalizing and parsing the header again on
 * every request cost more than the rest of a compressed answer's own work (bench/compression-ab.js).
 */
function acceptedCodings(): (header: string | undefined) => ContentCoding | undefined {
  const negotiator = new Negotiator({ supportedValues: [...COMPRESSION.encodings, 'identity'] as string[] });
  // Bounded by count: past it, odd values are negotiated on every request instead of kept.
  const decided = new Map<string, ContentCoding | undefined>();
  const MAX_KEPT = 200;
  return (header) => {
    if (!header) return undefined;
    if (decided.has(header)) return decided.get(header);
    const chosen = negotiator.negotiate(
      header
        .toLowerCase()
        .replace(/\bx-gzip\b/g, 'gzip')
        .replace(/\*/g, 'gzip'),
    );
    const coding = chosen === 'br' || chosen === 'gzip' ? chosen : undefined;
    if (decided.size < MAX_KEPT) decided.set(header, coding);
    return coding;
  };
}

/** The body depends on Accept-Encoding whether or not it was compressed this time (RFC 9110 §12.5.5). */
function addVaryAcceptEncoding(reply: FastifyReply): void {
  const vary = reply.getHeader('vary');
  if (vary === undefined) return void reply.header('vary', 'accept-encoding');
  const values = Array.isArray(vary) ? vary.join(', ') : String(vary);
  if (!/\baccept-encoding\b/i.test(values)) reply.header('vary', `${values}, accept-encoding`);
}
