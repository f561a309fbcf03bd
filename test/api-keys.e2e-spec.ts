import { createHash } from 'node:crypto';
import request from 'supertest';
import { Client } from 'pg';
import { getRepositoryToken } from '@nestjs/typeorm';
import { ApiKeyEntity, UsageFlusher } from '@strata/api-keys';
import { bearer, createKey, pollUntil } from './support/api-keys';
import { createTestEnvironment, TestApp, TestEnvironment } from './support/test-app';

/** PRODUCT.md section 3, "API keys, scopes and tiers": keys, scopes, revocation, usage. */
describe('API keys', () => {
  let environment: TestEnvironment;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    environment = await createTestEnvironment();
    a = await environment.start();
    b = await environment.start();
  });
  afterAll(() => environment?.teardown());

  async function dumpApiKeysTable(): Promise<string> {
    const client = new Client({ connectionString: environment.env.DATABASE_URL });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT row_to_json(k)::text AS row FROM api_keys k');
      return rows.map((row: { row: string }) => row.row).join('\n');
    } finally {
      await client.end();
    }
  }

  it('rejects a request without a key, or with a bad one, with 401 problem+json', async () => {
    const missing = await request(a.server).get('/api/v1/pages').expect(401);
    expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(missing.headers['www-authenticate']).toBe('Bearer');
    expect(missing.body.type).toBe('https://strata.dev/problems/unauthorized');
    await request(a.server)
      .get('/api/v1/pages')
      .set(bearer('sk_' + 'x'.repeat(40)))
      .expect(401);
    await request(a.server).get('/api/v1/pages').set('authorization', 'Basic abc').expect(401);
  });

  it('keeps /health, /metrics and /docs public', async () => {
    await request(a.server).get('/health/live').expect(200);
    await request(a.server).get('/metrics').expect(200);
    const docs = await request(a.server).get('/docs-json').expect(200);
    expect(Object.keys(docs.body.components.securitySchemes).sort()).toEqual(['apiKey', 'bearer']);
    const getPage = docs.body.paths['/api/v1/pages/{id}'].get;
    expect(getPage.description).toContain('`content:read`');
    expect(docs.body.paths['/api/v1/pages'].post.description).toContain('`content:write`');
    expect(docs.body.paths['/api/v1/api-keys'].post.description).toContain('`keys:manage`');
    expect(getPage.security).toEqual([{ bearer: [] }, { apiKey: [] }]);
  });

  it('issues sk_ + 40 base62 characters once, stores only its SHA-256 and start, never lists the key', async () => {
    const issued = await createKey(a, { name: 'issued once' });
    expect(issued.key).toMatch(/^sk_[A-Za-z0-9]{40}$/);
    expect(issued.start).toBe(issued.key.slice(0, 8));
    const listed = await a.api().get('/api/v1/api-keys').expect(200);
    expect(JSON.stringify(listed.body)).not.toContain(issued.key);
    const fetched = await a.api().get(`/api/v1/api-keys/${issued.id}`).expect(200);
    expect(fetched.body.key).toBeUndefined();
    expect(fetched.body).toMatchObject({
      id: issued.id,
      name: 'issued once',
      scopes: ['content:read', 'content:write'],
      tier: 'free',
      usageCount: 0,
      revokedAt: null,
    });

    const dump = await dumpApiKeysTable();
    expect(dump).toContain(createHash('sha256').update(issued.key).digest('hex'));
    expect(dump).not.toContain(issued.key);
    expect(dump).not.toContain(issued.key.slice(8));
  });

  it('accepts the key as Bearer or X-API-Key', async () => {
    const { key } = await createKey(a);
    await request(a.server).get('/api/v1/pages').set(bearer(key)).expect(200);
    await request(a.server).get('/api/v1/pages').set('x-api-key', key).expect(200);
  });

  it('looks a valid key up in the database once, then serves it from the in-process cache', async () => {
    const { key } = await createKey(a);
    const lookups = jest.spyOn(b.app.get(getRepositoryToken(ApiKeyEntity)), 'findOne');
    try {
      for (let i = 0; i < 5; i++) await request(b.server).get('/api/v1/pages').set(bearer(key)).expect(200);
      expect(lookups).toHaveBeenCalledTimes(1);
    } finally {
      lookups.mockRestore();
    }
  });

  it('answers 403 naming the scope when the key lacks it', async () => {
    const { key } = await createKey(a, { scopes: ['content:read'] });
    await request(a.server).get('/api/v1/pages').set(bearer(key)).expect(200);
    const write = await request(a.server).post('/api/v1/pages').set(bearer(key)).send({ slug: 'nope', title: 'Nope' }).expect(403);
    expect(write.body).toMatchObject({ type: 'https://strata.dev/problems/forbidden', requiredScope: 'content:write' });
    await request(a.server).get('/api/v1/api-keys').set(bearer(key)).expect(403);
    const pages = await a.api().get('/api/v1/pages?limit=100').expect(200);
    expect(pages.body.data.find((page: { slug: string }) => page.slug === 'nope')).toBeUndefined();
  });

  it('lets a key grant only scopes it holds', async () => {
    const { key } = await createKey(a, { scopes: ['keys:manage'] });
    await request(a.server)
      .post('/api/v1/api-keys')
      .set(bearer(key))
      .send({ name: 'x', scopes: ['admin'], tier: 'free' })
      .expect(403);
    await request(a.server)
      .post('/api/v1/api-keys')
      .set(bearer(key))
      .send({ name: 'x', scopes: ['keys:manage'], tier: 'free' })
      .expect(201);
  });

  it('validates input: unknown scope, unknown tier, past expiry, unknown field', async () => {
    const post = (body: object) =>
      a
        .api()
        .post('/api/v1/api-keys')
        .send({ name: 'bad', scopes: ['content:read'], tier: 'free', ...body });
    expect((await post({ scopes: ['root'] }).expect(400)).body.errors).toHaveProperty('scopes');
    expect((await post({ tier: 'gold' }).expect(422)).body.errors).toHaveProperty('tier');
    await post({ tier: 'anonymous' }).expect(422);
    await post({ expiresAt: new Date(Date.now() - 1000).toISOString() }).expect(422);
    await post({ owner: 'me' }).expect(400);
    await post({ remaining: 0 }).expect(400);
  });

  it('rejects a key revoked on instance A on instance B within 1 s', async () => {
    const { id, key } = await createKey(a);
    // B has the key in its lookup cache before the revocation.
    await request(b.server).get('/api/v1/pages').set(bearer(key)).expect(200);
    await request(b.server).get('/api/v1/pages').set(bearer(key)).expect(200);
    const revoked = await a.api().patch(`/api/v1/api-keys/${id}/revoke`).expect(200);
    expect(revoked.body.revokedAt).not.toBeNull();
    const elapsed = await pollUntil(async () => (await request(b.server).get('/api/v1/pages').set(bearer(key))).status === 401, 1000);
    expect(elapsed).toBeLessThan(1000);
    const rejected = await request(b.server).get('/api/v1/pages').set(bearer(key)).expect(401);
    expect(rejected.body.detail).toMatch(/revoked/);
  });

  it('rejects a deleted key on the other instance within 1 s', async () => {
    const { id, key } = await createKey(a);
    await request(b.server).get('/api/v1/pages').set(bearer(key)).expect(200);
    await a.api().delete(`/api/v1/api-keys/${id}`).expect(204);
    await pollUntil(async () => (await request(b.server).get('/api/v1/pages').set(bearer(key))).status === 401, 1000);
    await a.api().get(`/api/v1/api-keys/${id}`).expect(404);
  });

  it('rejects an expired key', async () => {
    const { key } = await createKey(a, { expiresAt: new Date(Date.now() + 1500).toISOString() });
    await request(b.server).get('/api/v1/pages').set(bearer(key)).expect(200);
    await pollUntil(async () => (await request(b.server).get('/api/v1/pages').set(bearer(key))).status === 401, 3000, 100);
    const verified = await a.api().post('/api/v1/api-keys/verify').send({ key }).expect(200);
    expect(verified.body).toMatchObject({ valid: false, code: 'EXPIRED' });
  });

  it('never lets a usage-limited key make more requests than it has, across instances', async () => {
    const { id, key } = await createKey(a, { remaining: 5, tier: 'premium' });
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        request((i % 2 ? a : b).server)
          .get('/api/v1/pages')
          .set(bearer(key)),
      ),
    );
    expect(responses.filter((response) => response.status === 200)).toHaveLength(5);
    // The key is valid but out of calls: 429 of type usage-exceeded, without Retry-After (nothing to wait for).
    const refused = responses.filter((response) => response.status === 429);
    expect(refused).toHaveLength(15);
    expect(refused[0].body).toMatchObject({ type: 'https://strata.dev/problems/usage-exceeded', status: 429 });
    expect(refused[0].headers['retry-after']).toBeUndefined();
    const stored = await a.api().get(`/api/v1/api-keys/${id}`).expect(200);
    expect(stored.body.remaining).toBe(0);
    const verified = await a.api().post('/api/v1/api-keys/verify').send({ key }).expect(200);
    expect(verified.body).toMatchObject({ valid: false, code: 'USAGE_EXCEEDED' });
  });

  it('rotates: the new key works at once and the old one during the grace period', async () => {
    const original = await createKey(a);
    await request(b.server).get('/api/v1/pages').set(bearer(original.key)).expect(200);
    const rotated = await a.api().post(`/api/v1/api-keys/${original.id}/rotate`).expect(200);
    expect(rotated.body.key).toMatch(/^sk_[A-Za-z0-9]{40}$/);
    expect(rotated.body.key).not.toBe(original.key);
    expect(Date.parse(rotated.body.previousKeyExpiresAt)).toBeGreaterThan(Date.now() + 3600_000);
    await request(b.server).get('/api/v1/pages').set(bearer(rotated.body.key)).expect(200);
    await request(b.server).get('/api/v1/pages').set(bearer(original.key)).expect(200);
    await a.api().patch(`/api/v1/api-keys/${original.id}/revoke`).expect(200);
    await pollUntil(async () => (await request(b.server).get('/api/v1/pages').set(bearer(original.key))).status === 401, 1000);
    await request(b.server).get('/api/v1/pages').set(bearer(rotated.body.key)).expect(401);
    await a.api().post(`/api/v1/api-keys/${original.id}/rotate`).expect(409);
  });

  it('verifies a key without charging it', async () => {
    const { id, key } = await createKey(a, { remaining: 2, scopes: ['content:read'] });
    const verified = await a.api().post('/api/v1/api-keys/verify').send({ key }).expect(200);
    expect(verified.body).toEqual({ valid: true, code: 'VALID', keyId: id, scopes: ['content:read'], tier: 'free', expiresAt: null, remaining: 2 });
    const unknown = await a
      .api()
      .post('/api/v1/api-keys/verify')
      .send({ key: 'sk_' + 'A'.repeat(40) })
      .expect(200);
    expect(unknown.body).toMatchObject({ valid: false, code: 'NOT_FOUND', keyId: null });
  });

  it('counts usage in batches: usageCount and lastUsedAt after a flush', async () => {
    const { id, key } = await createKey(a);
    const before = Date.now();
    for (let i = 0; i < 3; i++)
      await request(i % 2 ? a.server : b.server)
        .get('/api/v1/pages')
        .set(bearer(key))
        .expect(200);
    // Counting is fire-and-forget; wait for the counts to land in Redis, then flush.
    await pollUntil(
      async () => {
        await a.app.get(UsageFlusher).flush();
        const stored = await a.api().get(`/api/v1/api-keys/${id}`);
        return stored.body.usageCount === 3;
      },
      5000,
      50,
    );
    const stored = await a.api().get(`/api/v1/api-keys/${id}`).expect(200);
    expect(Date.parse(stored.body.lastUsedAt)).toBeGreaterThanOrEqual(before - 5);
  });

  it('lists keys with cursor pagination', async () => {
    const first = await a.api().get('/api/v1/api-keys?limit=2').expect(200);
    expect(first.body.data).toHaveLength(2);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await a.api().get(`/api/v1/api-keys?limit=2&cursor=${first.body.nextCursor}`).expect(200);
    expect(second.body.data[0].id).not.toBe(first.body.data[0].id);
    expect(second.body.data[0].id > first.body.data[1].id).toBe(true);
  });
});

describe('bootstrap admin key', () => {
  let environment: TestEnvironment;
  afterAll(() => environment?.teardown());

  it('creates one hashed admin key at first boot when none is configured and no key exists', async () => {
    environment = await createTestEnvironment({ ADMIN_API_KEY: '' });
    await environment.start();
    await environment.start();
    const client = new Client({ connectionString: environment.env.DATABASE_URL });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT scopes, tier, length(key_hash) AS hash_length FROM api_keys');
      expect(rows).toEqual([{ scopes: ['admin'], tier: 'unlimited', hash_length: 64 }]);
    } finally {
      await client.end();
    }
  });
});
