import { rateLimitHeaders, tightestPolicy } from './rate-limit-headers';
import type { RateLimitResult } from './rate-limit-result';

const result = (minuteRemaining: number, dayRemaining: number, allowed = true): RateLimitResult => ({
  allowed,
  violated: allowed ? undefined : 'minute',
  retryAfterS: allowed ? 0 : 17,
  policies: [
    { name: 'minute', limit: 60, windowS: 60, remaining: minuteRemaining, resetS: 17 },
    { name: 'day', limit: 1000, windowS: 86400, remaining: dayRemaining, resetS: 3600 },
  ],
});

describe('rateLimitHeaders', () => {
  it('formats RateLimit-Policy and RateLimit as the httpapi draft structured fields', () => {
    const headers = rateLimitHeaders(result(42, 958));
    expect(headers['RateLimit-Policy']).toBe('"minute";q=60;w=60, "day";q=1000;w=86400');
    expect(headers.RateLimit).toBe('"minute";r=42;t=17, "day";r=958;t=3600');
    expect(headers['Retry-After']).toBeUndefined();
  });

  it('reports the policy with the fewest requests left in X-RateLimit-*', () => {
    expect(rateLimitHeaders(result(42, 958))).toMatchObject({ 'X-RateLimit-Limit': '60', 'X-RateLimit-Remaining': '42', 'X-RateLimit-Reset': '17' });
    expect(rateLimitHeaders(result(42, 3))).toMatchObject({ 'X-RateLimit-Limit': '1000', 'X-RateLimit-Remaining': '3', 'X-RateLimit-Reset': '3600' });
  });

  it('adds Retry-After to a refusal', () => {
    expect(rateLimitHeaders(result(0, 900, false))['Retry-After']).toBe('17');
  });

  it('picks the violated policy even when another has fewer left', () => {
    expect(tightestPolicy(result(0, 0).policies, 'day').name).toBe('day');
  });
});
