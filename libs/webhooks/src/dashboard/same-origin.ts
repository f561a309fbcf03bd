import type { FastifyRequest } from 'fastify';

/**
 * Whether a state-changing request (signing in or out) comes from a page of this server rather
 * than from another site (CSRF; the cookie's SameSite=Strict is the other half). Browsers send
 * Origin on every POST, so it must name this server as the request reached it (behind a proxy
 * that terminates TLS, that needs TRUST_PROXY so that the protocol and host are the proxy's).
 * Without Origin, Sec-Fetch-Site decides when present; a request with neither is not from a
 * browser, so there is no one to forge it for.
 */
export function fromThisOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (origin !== undefined) return origin === thisOrigin(request);
  const site = request.headers['sec-fetch-site'];
  return site === undefined || site === 'same-origin' || site === 'none';
}

/** This server's origin as the client sees it: `https://strata.example.com`. */
export function thisOrigin(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}
