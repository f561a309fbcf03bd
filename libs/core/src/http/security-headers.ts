import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';

type HelmetOptions = NonNullable<Parameters<typeof helmet>[0]>;

/** A Content-Security-Policy that Swagger UI at /docs can live with. */
const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  // Swagger UI needs its own inline styles and images; scripts stay same-origin.
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:', 'https:'],
  scriptSrc: ["'self'"],
};

/** Over HTTPS: helmet's defaults, HSTS and `upgrade-insecure-requests` included. */
const HTTPS_OPTIONS: HelmetOptions = { contentSecurityPolicy: { directives: CSP_DIRECTIVES } };

/**
 * Over plain HTTP neither HSTS nor `upgrade-insecure-requests` may be sent: browsers ignore HSTS
 * there anyway, and the upgrade directive makes them fetch the page's own scripts over https,
 * which a plain-HTTP server does not answer (Swagger UI became a blank page from any host but
 * localhost, the one host browsers exempt). Cross-Origin-Opener-Policy is left out too: browsers
 * ignore it on a plain-HTTP origin other than localhost and say so as a console error on every
 * page; on http://localhost, a developer's machine, it guards nothing worth that noise.
 */
const PLAIN_HTTP_OPTIONS: HelmetOptions = {
  contentSecurityPolicy: { directives: { ...CSP_DIRECTIVES, upgradeInsecureRequests: null } },
  strictTransportSecurity: false,
  crossOriginOpenerPolicy: false,
};

/**
 * Security headers (helmet) on every response, chosen by how the request arrived: over HTTPS
 * (a TLS socket, or `X-Forwarded-Proto: https` from a proxy TRUST_PROXY trusts, which is what
 * Fastify's `request.protocol` reports) or over plain HTTP. With the options above helmet's
 * headers depend on nothing else (no CSP nonce, no per-request directive), so helmet runs
 * twice at boot against a recording response and each request gets one of the two recorded
 * sets: running helmet's middleware chain per request cost more than setting the headers it
 * sets. (@fastify/helmet 13 is worse still: it rebuilds the middleware and re-parses the CSP
 * on every request.)
 */
export function addSecurityHeaders(fastify: FastifyInstance): void {
  const plain = recordHelmetHeaders(PLAIN_HTTP_OPTIONS);
  const https = recordHelmetHeaders(HTTPS_OPTIONS);
  fastify.addHook('onRequest', (request, reply, done) => {
    const headers = request.protocol === 'https' ? https : plain;
    for (const [name, value] of headers) reply.raw.setHeader(name, value);
    done();
  });
}

/** The headers helmet sets on a response, read off a stand-in response at boot. */
function recordHelmetHeaders(options: HelmetOptions): Array<[string, string]> {
  const headers: Record<string, string> = {};
  let finished = false;
  const response = {
    setHeader: (name: string, value: string) => (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => delete headers[name.toLowerCase()],
  };
  helmet(options)({} as never, response as never, (error?: unknown) => {
    if (error) throw error instanceof Error ? error : new Error('helmet failed', { cause: error });
    finished = true;
  });
  // A helmet that answered later, or per request, would need the middleware run per request.
  if (!finished) throw new Error('helmet did not set its headers synchronously; run it per request instead');
  return Object.entries(headers);
}
