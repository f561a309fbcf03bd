import { problemFromResponse } from './problem';

describe('problemFromResponse', () => {
  it("keeps the API problem's title, detail, field errors and Retry-After", () => {
    const body = JSON.stringify({
      title: 'Too Many Requests',
      status: 429,
      detail: 'The "minute" limit of 60 is spent.',
      errors: { slug: ['must be unique'] },
    });
    const problem = problemFromResponse(429, 'Too Many Requests', '17', body);
    expect(problem).toMatchObject({ status: 429, title: 'Too Many Requests', detail: 'The "minute" limit of 60 is spent.', retryAfterS: 17 });
    expect(problem.fieldErrors).toEqual({ slug: ['must be unique'] });
  });

  it('falls back to the status line when the body is not a problem (a proxy page, nothing)', () => {
    expect(problemFromResponse(502, 'Bad Gateway', null, '<html>oops</html>')).toMatchObject({
      title: 'Bad Gateway',
      detail: 'The server answered 502 without details.',
      retryAfterS: undefined,
    });
    expect(problemFromResponse(500, '', 'soon', '').title).toBe('HTTP 500');
  });
});
