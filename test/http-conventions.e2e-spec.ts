import request from 'supertest';
import { createTestEnvironment, TestApp, TestEnvironment } from './support/test-app';

/** PRODUCT.md section 2: what every response and every error looks like. */
describe('HTTP conventions', () => {
  let environment: TestEnvironment;
  let strata: TestApp;

  beforeAll(async () => {
    environment = await createTestEnvironment({ BODY_LIMIT_BYTES: '65536', CORS_ORIGINS: 'https://app.example' });
    strata = await environment.start();
  });
  afterAll(() => environment?.teardown());

  const api = () => strata.api();
  const pageCount = async () => {
    let count = 0;
    let cursor: string | null = null;
    do {
      const response: request.Response = await api()
        .get('/api/v1/pages')
        .query({ limit: 100, ...(cursor ? { cursor } : {}) });
      count += response.body.data.length;
      cursor = response.body.nextCursor;
    } while (cursor);
    return count;
  };

  const expectProblem = (response: request.Response, status: number) => {
    expect(response.status).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toEqual(
      expect.objectContaining({
        type: expect.stringMatching(/^https:\/\//),
        title: expect.any(String),
        status,
        detail: expect.any(String),
        instance: expect.any(String),
        requestId: response.headers['x-request-id'],
      }),
    );
    expect(JSON.stringify(response.body)).not.toMatch(/at \w+ \(|\.ts:\d+|SELECT|INSERT|QueryFailedError/);
  };

  it('echoes an X-Request-Id the client sent, else makes one', async () => {
    expect((await api().get('/api/v1/pages').set('X-Request-Id', 'trace-123').expect(200)).headers['x-request-id']).toBe('trace-123');
    expect((await api().get('/api/v1/pages').expect(200)).headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses bad bodies with a clear 4xx and writes nothing', async () => {
    const before = await pageCount();
    const cases: Array<[string, request.Test, number]> = [
      ['malformed JSON', api().post('/api/v1/pages').set('Content-Type', 'application/json').send('{"slug": "x", "title": '), 400],
      [
        'wrong types',
        api()
          .post('/api/v1/pages')
          .send({ slug: 42, title: ['x'] }),
        400,
      ],
      ['unknown field', api().post('/api/v1/pages').send({ slug: 'unknown-field', title: 'x', isAdmin: true }), 400],
      [
        'over-long title',
        api()
          .post('/api/v1/pages')
          .send({ slug: 'long-title', title: 'x'.repeat(501) }),
        400,
      ],
      ['bad slug', api().post('/api/v1/pages').send({ slug: '../etc/passwd', title: 'x' }), 400],
      ['bad status', api().post('/api/v1/pages').send({ slug: 'bad-status', title: 'x', status: 'deleted' }), 400],
      [
        'deep metadata',
        api()
          .post('/api/v1/pages')
          .send({ slug: 'deep', title: 'x', metadata: JSON.parse('{"a":'.repeat(20) + '1' + '}'.repeat(20)) }),
        400,
      ],
      ['null byte', api().post('/api/v1/pages').send({ slug: 'null-byte', title: 'a\u0000b' }), 400],
      [
        'array body',
        api()
          .post('/api/v1/pages')
          .send([{ slug: 'array', title: 'x' }]),
        400,
      ],
      [
        'oversized body',
        api()
          .post('/api/v1/pages')
          .send({ slug: 'huge', title: 'x', body: 'y'.repeat(70_000) }),
        413,
      ],
      ['unsupported content type', api().post('/api/v1/pages').set('Content-Type', 'application/xml').send('<page/>'), 415],
    ];
    for (const [name, pending, status] of cases) {
      const response = await pending;
      try {
        expectProblem(response, status);
      } catch (error) {
        throw new Error(`${name}: ${(error as Error).message}\n${JSON.stringify(response.body)}`, { cause: error });
      }
    }
    expect(await pageCount()).toBe(before);
  });

  it('lists validation errors by field', async () => {
    const response = await api().post('/api/v1/pages').send({ slug: 'Not A Slug', extra: 1 });
    expectProblem(response, 400);
    expect(response.body.type).toMatch(/validation-error$/);
    expect(Object.keys(response.body.errors).sort()).toEqual(['extra', 'slug', 'title']);
  });

  it('answers 400 for a non-UUID id and 404 for an unknown route, as problems', async () => {
    expectProblem(await api().get('/api/v1/pages/not-a-uuid'), 400);
    expectProblem(await api().get("/api/v1/pages/1' OR '1'='1"), 400);
    expectProblem(await api().get('/api/v1/nothing-here'), 404);
    // Answered by Fastify's router before any hook ran: still with the X-Request-Id of its problem body.
    const tooLong = await api().get(`/api/v1/pages/${'a'.repeat(101)}`);
    expectProblem(tooLong, 414);
    expect(tooLong.headers['x-request-id']).toEqual(expect.any(String));
    expectProblem(await api().patch('/api/v1/pages/0196f0e4-8a5b-7c3d-9e2f-1a2b3c4d5e6f').send({ title: 'x' }), 404);
  });

  it('sends security headers, CORS for allowed origins and compressed bodies', async () => {
    for (let index = 0; index < 30; index++)
      await api()
        .post('/api/v1/pages')
        .send({ slug: `bulk-${index}`, title: `Bulk ${index}`, body: 'lorem ipsum '.repeat(20) })
        .expect(201);
    const response = await api().get('/api/v1/pages?limit=30').set('Origin', 'https://app.example').set('Accept-Encoding', 'br, gzip').expect(200);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toBeDefined();
    expect(response.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(response.headers['access-control-expose-headers']).toMatch(/X-Request-Id/);
    expect(response.headers['content-encoding']).toMatch(/^(br|gzip)$/);
    const foreign = await api().get('/api/v1/pages').set('Origin', 'https://evil.example').expect(200);
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
  });
});
