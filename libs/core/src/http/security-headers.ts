import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';

/** helmet's defaults, with a Content-Security-Policy that Swagger UI at /docs can live with. */
const SECURITY_HEADER_OPTIONS: Parameters<typeof helmet>[0] = {
  contentSecurityPolicy: {
    // Swagger UI needs its own inline styles and images; scripts stay same-origin.
    directives: {
      defaultSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:', 'https:'],
      scriptSrc: ["'self'"],
    },
  },
};

/**
 * Security headers (helmet) on every response. helmet's middleware is built once here and
 * applied per request; @fastify/helmet 13 rebuilds the whole middleware (and re-parses the CSP
 * directives) on every request, which cost more than everything else on a cached read.
 */
export function addSecurityHeaders(fastify: FastifyInstance): void {
  const applyHeaders = helmet(SECURITY_HEADER_OPTIONS);
  fastify.addHook('onRequest', (request, reply, done) => {
    applyHeaders(request.raw, reply.raw, (error?: unknown) => done(error instanceof Error ? error : undefined));
  });
}
