import type { OutgoingHttpHeaders } from 'node:http';
import { Negotiator } from '@fastify/accept-negotiator';
import type { CompressedRepresentations, ContentCoding } from '@strata/cache';
import { cachedBodyName, etagForEncoding } from '@strata/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { kReplyHeaders } from 'fastify/lib/symbols';

/** What @fastify/compress is registered with, and what this hook negotiates the same way. */
export const COMPRESSION = { encodings: ['br', 'gzip', 'deflate'] as Array<'br' | 'gzip' | 'deflate'>, threshold: 1024 };

type OnSend = (request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (error: Error | null, payload?: unknown) => void) => void;

/**
 * Compressed answers from CompressedRepresentations: bodies compressed once per representation
 * rather than per request, negotiated exactly as @fastify/compress does (same codings,
 * q-values, `x-gzip`, size threshold).
 */
export class PrecompressedBodies {
  private readonly codingFor = acceptedCodings();
  /** The kept bytes as one-byte strings (see `answerKept`); they go when the bytes leave L1. */
  private readonly latin1 = new WeakMap<Buffer, string>();

  constructor(
    private readonly representations: CompressedRepresentations,
    /** Whether the server is closing, so answers say `Connection: close` (drainConnectionsOnClose). */
    private readonly draining: () => boolean,
  ) {}

  /**
   * An onSend hook, placed ahead of @fastify/compress's, that answers a compressible 200 whose
   * bytes have a name (a strong ETag: items, relationships; or the cached object it was
   * serialized from: lists and searches) with its compressed bytes. @fastify/compress then sees
   * the Content-Encoding and leaves the body alone, and still compresses everything else
   * (deflate, bodies without a strong ETag).
   */
  readonly onSend: OnSend = (request, reply, payload, done) => {
    if (reply.statusCode !== 200 || (typeof payload !== 'string' && !Buffer.isBuffer(payload))) return done(null, payload);
    const etag = reply.getHeader('etag');
    const name = typeof etag === 'string' && !etag.startsWith('W/') ? etag : cachedBodyName(reply);
    if (name === undefined || reply.hasHeader('content-encoding')) return done(null, payload);
    if (!String(reply.getHeader('content-type') ?? '').startsWith('application/json')) return done(null, payload);
    if (!compressible(request, payload)) return done(null, payload);
    addVaryAcceptEncoding(reply);
    const coding = this.codingFor(request.headers['accept-encoding']);
    if (coding === undefined) return done(null, payload);
    const send = (bytes: Buffer) => {
      reply.header('content-encoding', coding);
      reply.header('content-length', bytes.length);
      done(null, bytes);
    };
    const encoded = this.representations.encode(request.routeOptions.url ?? request.url, name, coding, payload);
    if (Buffer.isBuffer(encoded)) return send(encoded);
    // Compression failing is no reason to fail the request: the identity body is as correct.
    encoded.then(send, () => done(null, payload));
  };

  /**
   * For the early item read (early-item-reads.ts): answers a JSON `body` whose strong ETag is
   * already set, when the client takes a coding whose bytes are already kept, and says whether
   * it did. Otherwise (identity, or bytes not made yet) the caller sends `body` and `onSend`
   * does the rest.
   *
   * Why not through `reply.send`: Node writes a string body with its headers as one string,
   * but a Buffer body as a second chunk (cork, then writev). Measured here (bench/compression-ab.js;
   * the same page's JSON sent as a Buffer was as slow), that cost about 10 µs more per response
   * and held a compressed read at ~80 % of the uncompressed read's req/s. The bytes are written
   * as a latin1 string instead (latin1 maps bytes 0–255 to themselves), through Node's own
   * `writeHead`/`end`, after `reply.hijack()`.
   * Hijacking skips the onSend hooks; what they do to such an answer is done here: the
   * compression (`onSend` above), the ETag for the coding (create-http-app.ts) and
   * `Connection: close` while draining. onResponse hooks (access log, metrics) still run.
   * test/compressed-representations.e2e-spec.ts checks that the item routes have no other onSend hook.
   */
  answerKept(request: FastifyRequest, reply: FastifyReply, body: string): boolean {
    const coding = this.codingFor(request.headers['accept-encoding']);
    if (coding === undefined) return false;
    const etag = reply.getHeader('etag');
    if (typeof etag !== 'string' || etag.startsWith('W/') || !compressible(request, body)) return false;
    const kept = this.representations.encode(request.routeOptions.url ?? request.url, etag, coding, body);
    if (!Buffer.isBuffer(kept)) {
      // Being compressed: `onSend` asks again and waits for the same promise, which handles its failure.
      kept.catch(() => undefined);
      return false;
    }
    let latin1 = this.latin1.get(kept);
    if (latin1 === undefined) this.latin1.set(kept, (latin1 = kept.toString('latin1')));
    addVaryAcceptEncoding(reply);
    reply
      .header('content-type', 'application/json; charset=utf-8')
      .header('content-encoding', coding)
      .header('content-length', kept.length)
      .header('etag', etagForEncoding(etag, coding));
    if (this.draining()) reply.header('connection', 'close');
    reply.hijack();
    // The object Fastify's own send passes to writeHead (lib/reply.js, safeWriteHead); reply.getHeaders()
    // would copy it and the headers already on the raw response, about 5 µs per answer here.
    const headers = (reply as unknown as Record<symbol, OutgoingHttpHeaders | undefined>)[kReplyHeaders] ?? (reply.getHeaders() as OutgoingHttpHeaders);
    reply.raw.writeHead(200, headers);
    reply.raw.end(latin1, 'latin1');
    return true;
  }
}

/** Large enough to be worth compressing, and not refused by the client. */
function compressible(request: FastifyRequest, payload: string | Buffer): boolean {
  return Buffer.byteLength(payload) >= COMPRESSION.threshold && request.headers['x-no-compression'] === undefined;
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
