import request from 'supertest';
import { UsageFlusher } from '@strata/api-keys';
import { bearer, createKey } from './support/api-keys';
import { createTestEnvironment, TestApp, TestEnvironment } from './support/test-app';

/**
 * Issue 16 item 7, the rest: usage per identity (every key of an ownerId summed) and the top
 * routes of a key, both counted in process and Redis and written in batches (no database write
 * per request), across two instances.
 */
describe('usage per identity and top routes', () => {
  let environment: TestEnvironment;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    environment = await createTestEnvironment();
    a = await environment.start();
    b = await environment.start();
  });
  afterAll(() => environment?.teardown());

  const flushAll = async () => {
    await Promise.all([a.app.get(UsageFlusher).publish(), b.app.get(UsageFlusher).publish()]);
    await a.app.get(UsageFlusher).flush();
  };

  it('sums the usage of every key of an identity, and exports it', async () => {
    const first = await createKey(a, { scopes: ['content:read'], ownerId: 'customer_42' });
    const second = await createKey(a, { scopes: ['content:read'], ownerId: 'customer_42' });
    const other = await createKey(a, { scopes: ['content:read'], ownerId: 'customer_7' });
    await request(a.server).get('/api/v1/pages').set(bearer(first.key)).expect(200);
    await request(b.server).get('/api/v1/pages').set(bearer(first.key)).expect(200);
    await request(b.server).get('/api/v1/pages').set(bearer(second.key)).expect(200);
    await request(a.server).post('/api/v1/pages').set(bearer(second.key)).send({ slug: 'no-scope', title: 'x' }).expect(403);
    await request(a.server).get('/api/v1/pages').set(bearer(other.key)).expect(200);
    await flushAll();

    const hour = new Date(Date.now() - (Date.now() % 3_600_000)).toISOString();
    const usage = await a.api().get('/api/v1/identities/customer_42/usage').expect(200);
    expect(usage.body).toMatchObject({ ownerId: 'customer_42', keys: 2, granularity: 'hour' });
    expect(usage.body.data).toEqual([{ time: hour, allowed: 3, rateLimited: 0, usageExceeded: 0, forbidden: 1, total: 4 }]);
    const csv = await a.api().get('/api/v1/identities/customer_42/usage?format=csv').expect(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.text).toBe(`time,allowed,rate_limited,usage_exceeded,forbidden,total\r\n${hour},3,0,0,1,4\r\n`);
    const ndjson = await a.api().get('/api/v1/identities/customer_42/usage?format=ndjson').expect(200);
    expect(JSON.parse(ndjson.text.trim())).toEqual({
      ownerId: 'customer_42',
      time: hour,
      allowed: 3,
      rateLimited: 0,
      usageExceeded: 0,
      forbidden: 1,
      total: 4,
    });
    // The one key of the other identity, apart.
    expect((await a.api().get('/api/v1/identities/customer_7/usage').expect(200)).body.data[0]).toMatchObject({ allowed: 1, total: 1 });
  });

  it("lists a key's most requested routes by template, counted on two instances", async () => {
    const { id, key } = await createKey(a, { scopes: ['content:read'] });
    const page = (await a.api().post('/api/v1/pages').send({ slug: 'routes-page', title: 'Routes' }).expect(201)).body;
    for (let i = 0; i < 3; i++)
      await request(i % 2 ? a.server : b.server)
        .get('/api/v1/pages')
        .set(bearer(key))
        .expect(200);
    await request(a.server).get(`/api/v1/pages/${page.id}`).set(bearer(key)).expect(200);
    await request(b.server).get(`/api/v1/pages/${page.id}/versions`).set(bearer(key));
    await flushAll();

    const routes = await a.api().get(`/api/v1/api-keys/${id}/usage/routes`).expect(200);
    expect(routes.body).toMatchObject({ keyId: id });
    expect(routes.body.data.slice(0, 2)).toEqual([
      { route: 'GET /api/v1/pages', count: 3 },
      { route: 'GET /api/v1/pages/:id', count: 1 },
    ]);
    expect((await a.api().get(`/api/v1/api-keys/${id}/usage/routes?limit=1`).expect(200)).body.data).toEqual([{ route: 'GET /api/v1/pages', count: 3 }]);
    // A later flush adds to the same rows.
    await request(a.server).get('/api/v1/pages').set(bearer(key)).expect(200);
    await flushAll();
    expect((await a.api().get(`/api/v1/api-keys/${id}/usage/routes?limit=1`).expect(200)).body.data).toEqual([{ route: 'GET /api/v1/pages', count: 4 }]);
  });

  it('validates the identity, the key and the query', async () => {
    const { id } = await createKey(a);
    await a.api().get('/api/v1/identities/nobody_has_this/usage').expect(404);
    await a.api().get('/api/v1/identities/has%20space/usage').expect(400);
    await a.api().get('/api/v1/identities/customer_42/usage?granularity=week').expect(400);
    await a.api().get(`/api/v1/api-keys/${id}/usage/routes?limit=0`).expect(400);
    await a.api().get(`/api/v1/api-keys/${id}/usage/routes?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z`).expect(422);
    await a.api().get('/api/v1/api-keys/0196f0e4-8a5b-7c3d-9e2f-1a2b3c4d5e6f/usage/routes').expect(404);
  });
});
