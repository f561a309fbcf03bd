import request from 'supertest';
import { AccessGuard } from '../libs/api-keys/src/access.guard';
import { bearer, createKey, IssuedKey } from './support/api-keys';
import { createTestEnvironment, TestApp, TestEnvironment } from './support/test-app';

/**
 * GET /api/v1/{collection}/{id} is answered by a Fastify hook before Nest's pipeline when the
 * key can be admitted from memory (apps/api/early-item-reads.ts). These tests pin that its
 * answers are the controller's own, and that everything it does not take reaches the controller.
 */
describe('early answers to item reads', () => {
  let environment: TestEnvironment;
  let strata: TestApp;
  let pageId: string;
  let early: IssuedKey;
  let viaController: IssuedKey;
  let nestPipelineCalls: jest.SpyInstance;

  beforeAll(async () => {
    environment = await createTestEnvironment({ RATE_LIMIT_TIERS: '{"tiny":{"perMinute":3,"perDay":1000}}' });
    strata = await environment.start();
    // Nest's global guard runs on every request that reaches Nest's pipeline, and only then.
    nestPipelineCalls = jest.spyOn(AccessGuard.prototype, 'canActivate');
    pageId = (
      await strata
        .api()
        .post('/api/v1/pages')
        .send({ slug: 'early', title: 'Early', body: 'x'.repeat(2000) })
        .expect(201)
    ).body.id;
    early = await createKey(strata, { scopes: ['content:read'] });
    // Same tier and scope, but usage-limited: such keys are always charged by the controller.
    viaController = await createKey(strata, { scopes: ['content:read'], remaining: 1000 });
  });

  afterAll(async () => {
    nestPipelineCalls?.mockRestore();
    await environment?.teardown();
  });

  beforeEach(() => nestPipelineCalls.mockClear());

  const get = (path: string, key: string, headers: Record<string, string> = {}) =>
    request(strata.server)
      .get(path)
      .set({ ...bearer(key), ...headers });

  it('answers a cached key without the controller, with the controller’s body and headers', async () => {
    await get(`/api/v1/pages/${pageId}`, early.key).expect(200); // the key's first use fills the lookup cache
    nestPipelineCalls.mockClear();

    const fast = await get(`/api/v1/pages/${pageId}`, early.key, { 'accept-encoding': 'gzip' }).expect(200);
    expect(nestPipelineCalls).not.toHaveBeenCalled();
    const slow = await get(`/api/v1/pages/${pageId}`, viaController.key, { 'accept-encoding': 'gzip' }).expect(200);
    expect(nestPipelineCalls).toHaveBeenCalledTimes(1);

    expect(fast.body).toEqual(slow.body);
    for (const header of [
      'etag',
      'cache-control',
      'content-type',
      'content-encoding',
      'vary',
      'x-content-type-options',
      'content-security-policy',
      'ratelimit-policy',
    ]) {
      expect([header, fast.headers[header]]).toEqual([header, slow.headers[header]]);
    }
    expect(fast.headers['x-request-id']).toBeTruthy();
    expect(fast.headers['ratelimit']).toMatch(/^"minute";r=\d+;t=\d+, "day";r=\d+;t=\d+$/);
    expect(fast.headers['x-ratelimit-remaining']).toBeDefined();
  });

  it('answers 304 to a matching If-None-Match, and 404 problems like the controller', async () => {
    const { etag } = (await get(`/api/v1/pages/${pageId}`, early.key)).headers;
    await get(`/api/v1/pages/${pageId}`, early.key, { 'if-none-match': etag }).expect(304);

    const missing = '01900000-0000-7000-8000-000000000000';
    const fast = await get(`/api/v1/pages/${missing}`, early.key).expect(404);
    const slow = await get(`/api/v1/pages/${missing}`, viaController.key).expect(404);
    expect(nestPipelineCalls).toHaveBeenCalledTimes(1);
    expect(fast.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect({ ...fast.body, requestId: undefined }).toEqual({ ...slow.body, requestId: undefined });
  });

  it('leaves missing, unknown, revoked and under-scoped keys and bad ids to the controller', async () => {
    await request(strata.server).get(`/api/v1/pages/${pageId}`).expect(401);
    await get(`/api/v1/pages/${pageId}`, `sk_${'x'.repeat(40)}`).expect(401);
    const writer = await createKey(strata, { scopes: ['webhooks:manage'] });
    await get(`/api/v1/pages/${pageId}`, writer.key).expect(403);
    await get('/api/v1/pages/not-a-uuid', early.key).expect(400);

    const revoked = await createKey(strata, { scopes: ['content:read'] });
    await get(`/api/v1/pages/${pageId}`, revoked.key).expect(200);
    await strata.api().patch(`/api/v1/api-keys/${revoked.id}/revoke`).expect(200);
    await get(`/api/v1/pages/${pageId}`, revoked.key).expect(401);
  });

  it('counts its answers against the key’s tier and answers 429 past it', async () => {
    const tiny = await createKey(strata, { scopes: ['content:read'], tier: 'tiny' });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await get(`/api/v1/pages/${pageId}`, tiny.key)).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    const refused = await get(`/api/v1/pages/${pageId}`, tiny.key).expect(429);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.headers['retry-after']).toBeDefined();
    expect(refused.body.type).toMatch(/quota-exceeded$/);
  });
});
