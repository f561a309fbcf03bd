import request from 'supertest';
import { DataSource } from 'typeorm';
import { UsageFlusher } from '@strata/api-keys';
import { bearer, createKey, pollUntil } from './support/api-keys';
import { createTestEnvironment, TestApp, TestEnvironment } from './support/test-app';

/**
 * Issue 16 items 6 to 8, the keys half: PATCH of a key's policies, the IP allowlist, per-key
 * limits over the tier, verify for other services, and usage analytics.
 */
describe('API key policies, verify for other services, usage analytics', () => {
  let environment: TestEnvironment;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    environment = await createTestEnvironment();
    a = await environment.start();
    b = await environment.start();
  });
  afterAll(() => environment?.teardown());

  const verify = (body: Record<string, unknown>) => a.api().post('/api/v1/api-keys/verify').send(body).expect(200);

  describe('PATCH /api/v1/api-keys/{id}', () => {
    it('changes name, scopes, tier, expiry, remaining and metadata without rotating the secret, on every instance within 1 s', async () => {
      const { id, key } = await createKey(a, { scopes: ['content:read'] });
      // Instance B caches the key with its old scopes.
      await request(b.server).post('/api/v1/pages').set(bearer(key)).send({ slug: 'patched-too-early', title: 'x', body: 'x' }).expect(403);
      const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
      const patched = await a
        .api()
        .patch(`/api/v1/api-keys/${id}`)
        .send({ name: 'renamed', scopes: ['content:read', 'content:write'], tier: 'basic', expiresAt, remaining: 50, metadata: { owner: 'marketing' } })
        .expect(200);
      expect(patched.body).toMatchObject({
        id,
        name: 'renamed',
        scopes: ['content:read', 'content:write'],
        tier: 'basic',
        expiresAt,
        remaining: 50,
        metadata: { owner: 'marketing' },
      });
      expect(patched.body.key).toBeUndefined();
      expect(patched.headers.etag).toMatch(/^"/);
      const elapsed = await pollUntil(
        async () =>
          (
            await request(b.server)
              .post('/api/v1/pages')
              .set(bearer(key))
              .send({ slug: `patched-${Date.now()}`, title: 'x', body: 'x' })
          ).status === 201,
        1000,
      );
      expect(elapsed).toBeLessThan(1000);
      const fetched = await a.api().get(`/api/v1/api-keys/${id}`).expect(200);
      expect(fetched.body).toMatchObject({ name: 'renamed', tier: 'basic', remaining: 49 });
      // null clears the nullable fields
      const cleared = await a.api().patch(`/api/v1/api-keys/${id}`).send({ expiresAt: null, remaining: null }).expect(200);
      expect(cleared.body).toMatchObject({ expiresAt: null, remaining: null, name: 'renamed' });
    });

    it('honours If-Match: 412 on a stale ETag, 200 on the current one', async () => {
      const { id } = await createKey(a);
      const current = await a.api().get(`/api/v1/api-keys/${id}`).expect(200);
      const etag = current.headers.etag;
      const first = await a.api().patch(`/api/v1/api-keys/${id}`).set('if-match', etag).send({ name: 'first' }).expect(200);
      const stale = await a.api().patch(`/api/v1/api-keys/${id}`).set('if-match', etag).send({ name: 'second' }).expect(412);
      expect(stale.headers['content-type']).toMatch(/^application\/problem\+json/);
      await a.api().patch(`/api/v1/api-keys/${id}`).set('if-match', first.headers.etag).send({ name: 'second' }).expect(200);
      expect((await a.api().get(`/api/v1/api-keys/${id}`).expect(200)).body.name).toBe('second');
    });

    it('validates: null name, unknown tier, past expiry, bad CIDR, half a rate limit, unknown key', async () => {
      const { id } = await createKey(a);
      await a.api().patch(`/api/v1/api-keys/${id}`).send({ name: null }).expect(400);
      await a.api().patch(`/api/v1/api-keys/${id}`).send({ tier: 'golden' }).expect(422);
      await a
        .api()
        .patch(`/api/v1/api-keys/${id}`)
        .send({ expiresAt: new Date(Date.now() - 1000).toISOString() })
        .expect(422);
      const badCidr = await a
        .api()
        .patch(`/api/v1/api-keys/${id}`)
        .send({ ipAllowlist: ['10.0.0.0/33'] })
        .expect(400);
      expect(JSON.stringify(badCidr.body.errors)).toContain('ipAllowlist');
      await a
        .api()
        .patch(`/api/v1/api-keys/${id}`)
        .send({ rateLimit: { perMinute: 5 } })
        .expect(400);
      await a.api().patch('/api/v1/api-keys/0196f0e4-8a5b-7c3d-9e2f-1a2b3c4d5e6f').send({ name: 'nobody' }).expect(404);
    });

    it('lets a key grant only scopes it holds', async () => {
      const { id } = await createKey(a, { scopes: ['content:read'] });
      const manager = await createKey(a, { scopes: ['keys:manage', 'content:read'], tier: 'unlimited' });
      await request(a.server)
        .patch(`/api/v1/api-keys/${id}`)
        .set(bearer(manager.key))
        .send({ scopes: ['admin'] })
        .expect(403);
      await request(a.server).patch(`/api/v1/api-keys/${id}`).set(bearer(manager.key)).send({ name: 'ok' }).expect(200);
    });
  });

  describe('IP allowlist and per-key limits', () => {
    it('answers 403 problem+json from an address outside the allowlist, and serves one inside it', async () => {
      const outside = await createKey(a, { ipAllowlist: ['203.0.113.0/24'] });
      expect(outside.ipAllowlist).toEqual(['203.0.113.0/24']);
      const refused = await request(a.server).get('/api/v1/pages').set(bearer(outside.key)).expect(403);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(refused.body.detail).toContain('allowlist');
      const inside = await createKey(a, { ipAllowlist: ['127.0.0.0/8', '::1'] });
      await request(a.server).get('/api/v1/pages').set(bearer(inside.key)).expect(200);
      // Set by PATCH: a cached key is refused on the other instance within 1 s, and cleared again by null.
      await request(b.server).get('/api/v1/pages').set(bearer(inside.key)).expect(200);
      await a
        .api()
        .patch(`/api/v1/api-keys/${inside.id}`)
        .send({ ipAllowlist: ['198.51.100.0/24'] })
        .expect(200);
      await pollUntil(async () => (await request(b.server).get('/api/v1/pages').set(bearer(inside.key))).status === 403, 1000);
      await a.api().patch(`/api/v1/api-keys/${inside.id}`).send({ ipAllowlist: null }).expect(200);
      await pollUntil(async () => (await request(b.server).get('/api/v1/pages').set(bearer(inside.key))).status === 200, 1000);
    });

    it("limits a key by its own rateLimit rather than its tier's", async () => {
      const { id, key } = await createKey(a, { tier: 'premium', rateLimit: { perMinute: 3, perDay: 100 } });
      for (let i = 0; i < 3; i++) {
        const ok = await request(a.server).get('/api/v1/pages').set(bearer(key)).expect(200);
        expect(ok.headers['ratelimit-policy']).toContain('"minute";q=3;w=60');
      }
      const refused = await request(b.server).get('/api/v1/pages').set(bearer(key)).expect(429);
      expect(refused.body).toMatchObject({ policy: 'minute', limit: 3 });
      // Back to the tier: premium allows 1 200 per minute.
      await a.api().patch(`/api/v1/api-keys/${id}`).send({ rateLimit: null }).expect(200);
      await pollUntil(async () => (await request(b.server).get('/api/v1/pages').set(bearer(key))).status === 200, 1000);
    });
  });

  describe('POST /api/v1/api-keys/verify for other services', () => {
    it('VALID, and FORBIDDEN naming the scopes the key lacks', async () => {
      const { id, key } = await createKey(a, { scopes: ['content:read'] });
      expect((await verify({ key, scopes: ['content:read'] })).body).toMatchObject({ valid: true, code: 'VALID', keyId: id });
      const forbidden = await verify({ key, scopes: ['content:read', 'webhooks:manage'] });
      expect(forbidden.body).toMatchObject({ valid: false, code: 'FORBIDDEN', keyId: id, missingScopes: ['webhooks:manage'] });
    });

    it('IP_NOT_ALLOWED when the client address is outside the allowlist or not given', async () => {
      const { key } = await createKey(a, { ipAllowlist: ['203.0.113.0/24', '2001:db8::/32'] });
      expect((await verify({ key, ip: '203.0.113.9' })).body).toMatchObject({ valid: true, code: 'VALID' });
      expect((await verify({ key, ip: '2001:db8::1' })).body).toMatchObject({ valid: true, code: 'VALID' });
      expect((await verify({ key, ip: '198.51.100.1' })).body).toMatchObject({ valid: false, code: 'IP_NOT_ALLOWED' });
      expect((await verify({ key })).body).toMatchObject({ valid: false, code: 'IP_NOT_ALLOWED' });
      await a.api().post('/api/v1/api-keys/verify').send({ key, ip: 'not-an-ip' }).expect(400);
    });

    it("charge: spends the key's rate limit (RATE_LIMITED with its limits) shared with its own requests", async () => {
      const { key } = await createKey(a, { rateLimit: { perMinute: 2, perDay: 100 } });
      // Without charge nothing is spent.
      for (let i = 0; i < 3; i++) expect((await verify({ key })).body.code).toBe('VALID');
      const first = await verify({ key, charge: true });
      expect(first.body).toMatchObject({ valid: true, code: 'VALID', rateLimit: { limit: 2, remaining: 1 } });
      await request(a.server).get('/api/v1/pages').set(bearer(key)).expect(200);
      const limited = await verify({ key, charge: true });
      expect(limited.body).toMatchObject({ valid: false, code: 'RATE_LIMITED', rateLimit: { limit: 2, remaining: 0 } });
      expect(limited.body.rateLimit.retryAfter).toBeGreaterThanOrEqual(1);
      expect(limited.body.rateLimit.reset).toBeGreaterThanOrEqual(1);
      expect(limited.body.rateLimit.policies.map((p: { name: string }) => p.name)).toEqual(['minute', 'day']);
    });

    it('charge: spends remaining uses, then USAGE_EXCEEDED; NOT_FOUND, REVOKED and EXPIRED still answered', async () => {
      const { id, key } = await createKey(a, { remaining: 1 });
      expect((await verify({ key })).body).toMatchObject({ code: 'VALID', remaining: 1 });
      expect((await verify({ key, charge: true })).body).toMatchObject({ valid: true, code: 'VALID', remaining: 0 });
      expect((await verify({ key, charge: true })).body).toMatchObject({ valid: false, code: 'USAGE_EXCEEDED' });
      expect((await a.api().get(`/api/v1/api-keys/${id}`).expect(200)).body.remaining).toBe(0);

      expect((await verify({ key: 'sk_' + 'B'.repeat(40), charge: true })).body).toMatchObject({ valid: false, code: 'NOT_FOUND' });
      const revoked = await createKey(a);
      await a.api().patch(`/api/v1/api-keys/${revoked.id}/revoke`).expect(200);
      expect((await verify({ key: revoked.key, charge: true })).body).toMatchObject({ valid: false, code: 'REVOKED' });
      const expiring = await createKey(a, { expiresAt: new Date(Date.now() + 1000).toISOString() });
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect((await verify({ key: expiring.key })).body).toMatchObject({ valid: false, code: 'EXPIRED' });
    });
  });

  describe('credits that refill', () => {
    it('sets remaining back to the refill amount once a new UTC day began, applied by the next use', async () => {
      const { id, key, remaining, refill } = await createKey(a, { refill: { amount: 2, interval: 'daily' } });
      expect(remaining).toBe(2);
      expect(refill).toMatchObject({ amount: 2, interval: 'daily' });
      await request(a.server).get('/api/v1/pages').set(bearer(key)).expect(200);
      await request(b.server).get('/api/v1/pages').set(bearer(key)).expect(200);
      await request(a.server).get('/api/v1/pages').set(bearer(key)).expect(429);
      expect((await verify({ key, charge: true })).body.code).toBe('USAGE_EXCEEDED');

      // A day passes: the last refill is moved back into yesterday (UTC).
      await a.app
        .get(DataSource)
        .query(`UPDATE api_keys SET refilled_at = date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' - interval '1 second' WHERE id = $1`, [id]);
      // The lookup caches still hold the key as it was; any change drops them (here a rename).
      await a.api().patch(`/api/v1/api-keys/${id}`).send({ name: 'next day' }).expect(200);
      expect((await a.api().get(`/api/v1/api-keys/${id}`).expect(200)).body.remaining).toBe(2);
      expect((await verify({ key })).body).toMatchObject({ code: 'VALID', remaining: 2 });
      await pollUntil(async () => (await request(b.server).get('/api/v1/pages').set(bearer(key))).status === 200, 1000);
      expect((await verify({ key, charge: true })).body).toMatchObject({ code: 'VALID', remaining: 0 });
      await request(a.server).get('/api/v1/pages').set(bearer(key)).expect(429);
      const refilled = (await a.api().get(`/api/v1/api-keys/${id}`).expect(200)).body;
      expect(Date.parse(refilled.refill.refilledAt)).toBeGreaterThan(Date.now() - 60_000);
    });

    it('is set and cleared by PATCH; a refilling key cannot lose its remaining', async () => {
      const { id } = await createKey(a);
      const set = await a
        .api()
        .patch(`/api/v1/api-keys/${id}`)
        .send({ refill: { amount: 100, interval: 'monthly' } })
        .expect(200);
      expect(set.body).toMatchObject({ remaining: 100, refill: { amount: 100, interval: 'monthly' } });
      await a.api().patch(`/api/v1/api-keys/${id}`).send({ remaining: null }).expect(422);
      await a
        .api()
        .patch(`/api/v1/api-keys/${id}`)
        .send({ refill: { amount: 5, interval: 'weekly' } })
        .expect(400);
      const cleared = await a.api().patch(`/api/v1/api-keys/${id}`).send({ refill: null, remaining: null }).expect(200);
      expect(cleared.body).toMatchObject({ remaining: null, refill: null });
    });
  });

  describe('identities', () => {
    it('keys with the same ownerId share one rate-limit budget, across instances; the list filters by owner', async () => {
      const owner = `customer_${Date.now()}`;
      const first = await createKey(a, { ownerId: owner, rateLimit: { perMinute: 3, perDay: 100 } });
      const second = await createKey(a, { ownerId: owner, rateLimit: { perMinute: 3, perDay: 100 } });
      const alone = await createKey(a, { rateLimit: { perMinute: 3, perDay: 100 } });
      expect(first.ownerId).toBe(owner);
      await request(a.server).get('/api/v1/pages').set(bearer(first.key)).expect(200);
      await request(b.server).get('/api/v1/pages').set(bearer(first.key)).expect(200);
      await request(a.server).get('/api/v1/pages').set(bearer(second.key)).expect(200);
      await request(b.server).get('/api/v1/pages').set(bearer(second.key)).expect(429);
      expect((await verify({ key: first.key, charge: true })).body.code).toBe('RATE_LIMITED');
      // A key of no identity keeps its own budget.
      for (let i = 0; i < 3; i++) await request(a.server).get('/api/v1/pages').set(bearer(alone.key)).expect(200);

      const listed = await a.api().get(`/api/v1/api-keys?ownerId=${owner}`).expect(200);
      expect(listed.body.data.map((key: { id: string }) => key.id)).toEqual([first.id, second.id]);
      await a.api().get('/api/v1/api-keys?ownerId=has%20space').expect(400);
      // Leaving the identity gives the key its own budget again.
      await a.api().patch(`/api/v1/api-keys/${second.id}`).send({ ownerId: null }).expect(200);
      await pollUntil(async () => (await request(b.server).get('/api/v1/pages').set(bearer(second.key))).status === 200, 1000);
    });
  });

  describe('GET /api/v1/api-keys/{id}/usage', () => {
    it('counts requests by hour and day with their outcome, and exports them as CSV and NDJSON', async () => {
      // A write costs 2: two reads and the refused write fill the minute of 4.
      const { id, key } = await createKey(a, { scopes: ['content:read'], rateLimit: { perMinute: 4, perDay: 1000 } });
      await request(a.server).get('/api/v1/pages').set(bearer(key)).expect(200);
      await request(b.server).get('/api/v1/pages').set(bearer(key)).expect(200);
      await request(a.server).post('/api/v1/pages').set(bearer(key)).send({}).expect(403);
      await request(b.server).get('/api/v1/pages').set(bearer(key)).expect(429);
      await verify({ key, charge: true }); // rate limited as well
      // Both instances move their counts to Redis; a worker-role flush writes them to PostgreSQL.
      await Promise.all([a.app.get(UsageFlusher).publish(), b.app.get(UsageFlusher).publish()]);
      await a.app.get(UsageFlusher).flush();

      const hourly = await a.api().get(`/api/v1/api-keys/${id}/usage?granularity=hour`).expect(200);
      const hour = new Date(Date.now() - (Date.now() % 3_600_000)).toISOString();
      expect(hourly.body).toMatchObject({ keyId: id, granularity: 'hour' });
      expect(hourly.body.data).toEqual([{ time: hour, allowed: 2, rateLimited: 2, usageExceeded: 0, forbidden: 1, total: 5 }]);

      const from = new Date(Date.now() - 3 * 86_400_000).toISOString();
      const daily = await a.api().get(`/api/v1/api-keys/${id}/usage?granularity=day&from=${from}`).expect(200);
      const day = new Date(Date.now() - (Date.now() % 86_400_000)).toISOString();
      expect(daily.body.data).toEqual([{ time: day, allowed: 2, rateLimited: 2, usageExceeded: 0, forbidden: 1, total: 5 }]);

      const csv = await a.api().get(`/api/v1/api-keys/${id}/usage?format=csv`).expect(200);
      expect(csv.headers['content-type']).toMatch(/^text\/csv/);
      expect(csv.text).toBe(`time,allowed,rate_limited,usage_exceeded,forbidden,total\r\n${hour},2,2,0,1,5\r\n`);
      const ndjson = await a.api().get(`/api/v1/api-keys/${id}/usage?format=ndjson&granularity=day`).expect(200);
      expect(ndjson.headers['content-type']).toMatch(/^application\/x-ndjson/);
      expect(
        ndjson.text
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line)),
      ).toEqual([{ keyId: id, time: day, allowed: 2, rateLimited: 2, usageExceeded: 0, forbidden: 1, total: 5 }]);

      // A second flush adds to the same rows rather than replacing them.
      await request(a.server).get('/api/v1/pages').set(bearer(key)).expect(429);
      await a.app.get(UsageFlusher).publish();
      await a.app.get(UsageFlusher).flush();
      const again = await a.api().get(`/api/v1/api-keys/${id}/usage`).expect(200);
      expect(again.body.data[0]).toMatchObject({ rateLimited: 3, total: 6 });
    });

    it('validates the window and the key', async () => {
      const { id } = await createKey(a);
      await a.api().get(`/api/v1/api-keys/${id}/usage?granularity=week`).expect(400);
      await a.api().get(`/api/v1/api-keys/${id}/usage?format=xml`).expect(400);
      await a.api().get(`/api/v1/api-keys/${id}/usage?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z`).expect(422);
      await a.api().get('/api/v1/api-keys/0196f0e4-8a5b-7c3d-9e2f-1a2b3c4d5e6f/usage').expect(404);
    });
  });
});
