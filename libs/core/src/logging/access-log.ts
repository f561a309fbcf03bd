import type { FastifyInstance, FastifyRequest } from 'fastify';
import { redactSecrets } from './redact-secrets';
import type { RootLogger } from './root-logger';

/** Probes and scrapes would drown the log: a load balancer calls them every few seconds. */
const UNLOGGED_URLS = new Set(['/health/live', '/metrics']);

/**
 * One line per finished request, from a Fastify hook rather than pino-http behind Nest's
 * middleware: that path ran a middie middleware and an AsyncLocalStorage scope on every
 * request (about a sixth of a cached read's CPU on Node 20). The line names the path without
 * its query string, which may carry search terms or a mistakenly sent key, and with anything
 * shaped like a key or secret redacted.
 */
export function logCompletedRequests(fastify: FastifyInstance, logger: RootLogger): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const status = reply.statusCode;
    const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
    if (logger.isLevelEnabled(level) && !UNLOGGED_URLS.has(request.url)) {
      logger[level](
        { req: { id: request.id, method: request.method, url: pathOf(request) }, res: { statusCode: status }, responseTime: Math.round(reply.elapsedTime) },
        'request completed',
      );
    }
    done();
  });
}

function pathOf(request: FastifyRequest): string {
  const query = request.url.indexOf('?');
  return redactSecrets(query === -1 ? request.url : request.url.slice(0, query));
}
