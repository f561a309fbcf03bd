import type { FastifyInstance } from 'fastify';

/**
 * Graceful close for keep-alive clients. Node's `server.close()` only drops connections that
 * are idle at that moment; one whose request is in flight stays open after its response until
 * the keep-alive timeout (72 s in Fastify) — longer than any shutdown grace period. So once
 * closing starts, responses say `Connection: close` and connections that go idle are dropped.
 * Answers written around the onSend hooks ask the returned function whether to say it too.
 */
export function drainConnectionsOnClose(fastify: FastifyInstance): () => boolean {
  let draining = false;
  fastify.addHook('preClose', (done) => {
    draining = true;
    const sweep = setInterval(() => fastify.server.closeIdleConnections(), 50);
    sweep.unref();
    fastify.server.once('close', () => clearInterval(sweep));
    done();
  });
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (draining) reply.header('connection', 'close');
    done(null, payload);
  });
  return () => draining;
}
