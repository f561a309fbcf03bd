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
 * Security headers (helmet) on every response. With the options above helmet's headers do not
 * depend on the request (no CSP nonce, no per-request directive), so helmet runs once at boot
 * against a recording response and each request gets the recorded headers: running helmet's
 * middleware chain per request cost more than setting the headers it sets. (@fastify/helmet 13
 * is worse still: it rebuilds the middleware and re-parses the CSP on every request.)
 */
export function addSecurityHeaders(fastify: FastifyInstance): void {
  const headers = recordHelmetHeaders();
  const names = Object.keys(headers);
  fastify.addHook('onRequest', (_request, reply, done) => {
    for (const name of names) reply.raw.setHeader(name, headers[name]);
    done();
  });
}

/** The headers helmet sets on a response, read off a stand-in response at boot. */
function recordHelmetHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  let finished = false;
  const response = {
    setHeader: (name: string, value: string) => (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => delete headers[name.toLowerCase()],
  };
  helmet(SECURITY_HEADER_OPTIONS)({} as never, response as never, (error?: unknown) => {
    if (error) throw error;
    finished = true;
  });
  // A helmet that answered later, or per request, would need the middleware run per request.
  if (!finished) throw new Error('helmet did not set its headers synchronously; run it per request instead');
  return headers;
}
