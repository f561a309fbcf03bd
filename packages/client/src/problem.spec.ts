import { PreconditionFailedError, problemFrom, problemFromResponse, RateLimitedError, StrataProblem } from './problem.js';

const problemJson = (status: number, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify({ type: 'https://strata.dev/problems/x', title: 'X', status, detail: 'Details.', ...extra }), {
    status,
    headers: { 'content-type': 'application/problem+json', ...headers },
  });

describe('problemFromResponse', () => {
  it('carries the problem’s fields, the field errors and the request id', async () => {
    const error = await problemFromResponse(problemJson(400, { requestId: 'req-1', errors: { slug: ['slug must be lowercase'] } }));
    expect(error).toBeInstanceOf(StrataProblem);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ status: 400, title: 'X', type: 'https://strata.dev/problems/x', detail: 'Details.', requestId: 'req-1' });
    expect(error.errors).toEqual({ slug: ['slug must be lowercase'] });
    expect(error.message).toBe('400 X: Details.');
  });

  it('has a class for 412 and for 429 (with its Retry-After)', async () => {
    expect(await problemFromResponse(problemJson(412))).toBeInstanceOf(PreconditionFailedError);
    const limited = await problemFromResponse(problemJson(429, {}, { 'retry-after': '7' }));
    expect(limited).toBeInstanceOf(RateLimitedError);
    expect((limited as RateLimitedError).retryAfterSeconds).toBe(7);
    // usage-exceeded: no Retry-After, no time to wait for.
    expect(((await problemFromResponse(problemJson(429))) as RateLimitedError).retryAfterSeconds).toBeUndefined();
  });

  it('makes a problem of an answer that is not one (a proxy’s HTML page), keeping the request id header', async () => {
    const error = await problemFromResponse(
      new Response('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway', headers: { 'x-request-id': 'req-2' } }),
    );
    expect(error).toMatchObject({ type: 'about:blank', title: 'Bad Gateway', status: 502, detail: '<html>Bad gateway</html>', requestId: 'req-2' });
  });

  it('reads a problem openapi-fetch has already parsed', () => {
    const response = new Response(null, { status: 404 });
    expect(problemFrom(response, { type: 't', title: 'Not Found', status: 404 })).toMatchObject({ title: 'Not Found', status: 404 });
  });
});
