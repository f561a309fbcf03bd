import type { PolicyState, RateLimitResult } from './rate-limit-result';

/**
 * Where the rate-limit headers of an admitted request go: the HTTP reply (a FastifyReply is
 * one), or nowhere for a transport without response headers (a WebSocket's messages).
 */
export interface RateLimitHeaderSink {
  headers(values: Record<string, string>): unknown;
}

/** Sends the headers nowhere. */
export const NO_RATE_LIMIT_HEADERS: RateLimitHeaderSink = { headers: () => undefined };

/**
 * Response headers for one counted request, in the IETF httpapi RateLimit header draft's
 * structured-field form (`RateLimit-Policy: "minute";q=60;w=60` and
 * `RateLimit: "minute";r=42;t=17`), plus the X-RateLimit-* trio of the policy closest to its
 * limit that most clients still read.
 */
export function rateLimitHeaders(result: RateLimitResult): Record<string, string> {
  const tightest = tightestPolicy(result.policies);
  const headers: Record<string, string> = {
    'RateLimit-Policy': result.policies.map((p) => `"${p.name}";q=${p.limit};w=${p.windowS}`).join(', '),
    RateLimit: result.policies.map((p) => `"${p.name}";r=${p.remaining};t=${p.resetS}`).join(', '),
    'X-RateLimit-Limit': String(tightest.limit),
    'X-RateLimit-Remaining': String(tightest.remaining),
    'X-RateLimit-Reset': String(tightest.resetS),
  };
  if (!result.allowed) headers['Retry-After'] = String(result.retryAfterS);
  return headers;
}

/** The policy that refused the request, else the one with the fewest requests left. */
export function tightestPolicy(policies: PolicyState[], violated?: PolicyState['name']): PolicyState {
  const refused = violated && policies.find((p) => p.name === violated);
  if (refused) return refused;
  return policies.reduce((tightest, p) => (p.remaining < tightest.remaining ? p : tightest));
}
