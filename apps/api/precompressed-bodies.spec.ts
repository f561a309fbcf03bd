import { brotliCompressSync, brotliDecompressSync } from 'node:zlib';
import type { CompressedRepresentations } from '@strata/cache';
import Fastify, { FastifyInstance } from 'fastify';
import { PrecompressedBodies } from './precompressed-bodies';

/** Bytes every value 0–255 (and more) appear in, so any re-encoding on the way out would show. */
const BODY = JSON.stringify({ id: 'p1', title: 'Grüße — 東京 ✓', body: 'données élevées ŝ '.repeat(100) });
const BR = brotliCompressSync(Buffer.from(BODY));

/**
 * answerKept writes around Fastify's send: a real Fastify instance answers through it, and only
 * where the kept bytes come from is stood in for (CompressedRepresentations has its own tests).
 */
describe('PrecompressedBodies.answerKept', () => {
  let draining = false;
  let kept: Buffer | Promise<Buffer> = BR;
  let app: FastifyInstance;

  beforeAll(async () => {
    const representations = { encode: () => kept } as unknown as CompressedRepresentations;
    const bodies = new PrecompressedBodies(representations, () => draining);
    app = Fastify();
    app.addHook('onRequest', async (request, reply) => {
      reply.header('x-request-id', 'r-1').header('etag', '"p1.3"').header('vary', 'Origin');
      if (bodies.answerKept(request, reply, BODY)) return reply;
      return reply.type('application/json; charset=utf-8').send(BODY);
    });
    app.get('/item', () => 'not reached');
    await app.ready();
  });
  afterAll(() => app.close());
  afterEach(() => {
    draining = false;
    kept = BR;
  });

  it('sends the kept bytes unchanged, with the headers set before and those of the coding', async () => {
    const response = await app.inject({ url: '/item', headers: { 'accept-encoding': 'br, gzip' } });
    expect(response.statusCode).toBe(200);
    expect(response.rawPayload.equals(BR)).toBe(true);
    expect(brotliDecompressSync(response.rawPayload).toString('utf8')).toBe(BODY);
    expect(response.headers).toMatchObject({
      'x-request-id': 'r-1',
      'content-type': 'application/json; charset=utf-8',
      'content-encoding': 'br',
      'content-length': String(BR.length),
      etag: '"p1.3-br"',
      vary: 'Origin, accept-encoding',
    });
    expect(response.headers.connection).not.toBe('close');
  });

  it('says Connection: close while the server drains', async () => {
    draining = true;
    const response = await app.inject({ url: '/item', headers: { 'accept-encoding': 'br' } });
    expect(response.headers['content-encoding']).toBe('br');
    expect(response.headers.connection).toBe('close');
  });

  it('leaves the answer to the caller for identity, a refused coding, x-no-compression, or bytes not made yet', async () => {
    for (const headers of [{}, { 'accept-encoding': 'identity' }, { 'accept-encoding': 'br;q=0' }, { 'accept-encoding': 'br', 'x-no-compression': '1' }]) {
      const response = await app.inject({ url: '/item', headers });
      expect(response.headers['content-encoding']).toBeUndefined();
      expect(response.body).toBe(BODY);
    }
    kept = new Promise<Buffer>(() => undefined);
    const response = await app.inject({ url: '/item', headers: { 'accept-encoding': 'br' } });
    expect(response.headers['content-encoding']).toBeUndefined();
    expect(response.body).toBe(BODY);
  });
});
