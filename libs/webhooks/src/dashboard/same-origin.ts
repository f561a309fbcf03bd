import type { FastifyRequest } from 'fastify';

/**
 * Whether a state-changing request (signing in or out) comes from a page of this server rather
 * than from another site (CSRF; the cookie's SameSite=Strict is the other half). Browsers send
 * Origin on every POST, so when it names an origin it must be this server as the request reached
 * it (behind a proxy that terminates TLS, that needs TRUST_PROXY so that the protocol and host
 * are the proxy's). A browser sends `Origin: null` under a no-referrer policy (helmet's default)
 * as well as from a sandboxed frame, so then Sec-Fetch-Site, which every current browser sends,
 * decides. A request with neither header is not from a browser: there is no one to forge it for.
 */
export function fromThisOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== 'null') return origin === thisOrigin(request);
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined) return site === 'same-origin' || site === 'none';
  return origin === undefined;
}

/** This server's origin as the client sees it: `https://strata.example.com`. */
export function thisOrigin(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}
