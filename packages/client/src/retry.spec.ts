import { parseRetryAfter, retryDelayMs, retryingFetch, type RetryPolicy } from './retry.js';

const policy: RetryPolicy = { retries: 2, maxDelayMs: 10_000, baseDelayMs: 100 };
const now = Date.parse('2026-01-01T00:00:00Z');

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates, and nothing else', () => {
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:59:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-1', now)).toBeUndefined();
  });
});

describe('retryDelayMs', () => {
  it('retries only 429 and 503', () => {
    for (const status of [200, 400, 401, 412, 500, 502]) expect(retryDelayMs(status, '1', 0, policy, now)).toBeUndefined();
    expect(retryDelayMs(429, '1', 0, policy, now)).toBe(1000);
    expect(retryDelayMs(503, '2', 0, policy, now)).toBe(2000);
  });

  it('stops after the policy’s retries and refuses a Retry-After longer than it accepts', () => {
    expect(retryDelayMs(429, '1', 2, policy, now)).toBeUndefined();
    expect(retryDelayMs(429, '11', 0, policy, now)).toBeUndefined();
    expect(retryDelayMs(429, '10', 0, policy, now)).toBe(10_000);
  });

  it('does not retry a 429 that names no time: a key with no uses left does not recover by waiting', () => {
    expect(retryDelayMs(429, null, 0, policy, now)).toBeUndefined();
  });

  it('backs off a 503 exponentially with jitter when the answer names no time', () => {
    expect(retryDelayMs(503, null, 0, policy, now, () => 0)).toBe(50);
    expect(retryDelayMs(503, null, 1, policy, now, () => 1)).toBe(200);
  });
});

describe('retryingFetch', () => {
  const answer = (status: number, retryAfter?: string) =>
    new Response(status === 200 ? 'ok' : 'busy', { status, headers: retryAfter ? { 'retry-after': retryAfter } : {} });

  it('sends the request again, body included, until it is not a 429/503', async () => {
    const bodies: string[] = [];
    const answers = [answer(429, '0'), answer(503, '0'), answer(200)];
    const fetch = retryingFetch(async (request) => {
      bodies.push(await request.text());
      return answers.shift()!;
    }, policy);

    const response = await fetch(new Request('http://strata.test/api/v1/pages', { method: 'POST', body: '{"title":"x"}' }));

    expect(response.status).toBe(200);
    expect(bodies).toEqual(['{"title":"x"}', '{"title":"x"}', '{"title":"x"}']);
  });

  it('returns the last 429 once its retries are spent', async () => {
    let calls = 0;
    const fetch = retryingFetch(() => {
      calls++;
      return Promise.resolve(answer(429, '0'));
    }, policy);
    expect((await fetch(new Request('http://strata.test/'))).status).toBe(429);
    expect(calls).toBe(3);
  });

  it('stops waiting when the request is aborted', async () => {
    const controller = new AbortController();
    const fetch = retryingFetch(() => Promise.resolve(answer(503, '5')), policy);
    const pending = fetch(new Request('http://strata.test/', { signal: controller.signal }));
    controller.abort(new Error('gave up'));
    await expect(pending).rejects.toThrow('gave up');
  });
});
