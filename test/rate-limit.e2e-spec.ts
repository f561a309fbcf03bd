import request from 'supertest';
import { bearer, createKey, pollUntil } from './support/api-keys';
import { PrivateRedis } from './support/private-redis';
import { createTestEnvironment, TestApp, TestEnvironment } from './support/test-app';

const POLICY = '"minute";q=60;w=60, "day";q=1000;w=86400';

/**
 * PRODUCT.md section 2 (rate-limit headers) and section 3 (tiers). The minute window is a real
 * sliding 60 s: every burst below finishes in a few seconds, far inside one window wherever it starts.
 */
describe('tiered rate limiting', () => {
  let environment: TestEnvironment;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    environment = await createTestEnvironment({ RATE_LIMIT_TIERS: '{"tiny":{"perMinute":100,"perDay":5}}' });
    a = await environment.start();
    b = await environment.start();
  });
  afterAll(() => environment?.teardown());

  it('allows a free key exactly 60 requests per minute in total across two instances', async () => {
    const { key } = await createKey(a, { tier: 'free' });
    const responses = await Promise.all(
      Array.from({ length: 75 }, (_, i) =>
        request((i % 2 ? a : b).server)
          .get('/api/v1/pages')
          .set(bearer(key)),
      ),
    );
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(60);
    expect(statuses.filter((status) => status === 429)).toHaveLength(15);
  });

  it('counts the headers down and names the violated policy in a 429', async () => {
    const { key } = await createKey(a, { tier: 'free' });
    for (let i = 1; i <= 3; i++) {
      const response = await request(i % 2 ? a.server : b.server)
        .get('/api/v1/pages')
        .set(bearer(key))
        .expect(200);
      expect(response.headers['ratelimit-policy']).toBe(POLICY);
      expect(response.headers['ratelimit']).toMatch(new RegExp(`^"minute";r=${60 - i};t=(60|59), "day";r=${1000 - i};t=\\d+$`));
      expect(response.headers['x-ratelimit-limit']).toBe('60');
      expect(response.headers['x-ratelimit-remaining']).toBe(String(60 - i));
      expect(Number(response.headers['x-ratelimit-reset'])).toBeGreaterThan(0);
    }
    // A write costs 2.
    const write = await request(a.server).post('/api/v1/pages').set(bearer(key)).send({ slug: 'costly', title: 'Costly' }).expect(201);
    expect(write.headers['x-ratelimit-remaining']).toBe('55');
    await Promise.all(Array.from({ length: 55 }, () => request(b.server).get('/api/v1/pages').set(bearer(key)).expect(200)));
    const refused = await request(a.server).get('/api/v1/pages').set(bearer(key)).expect(429);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({ type: 'https://strata.dev/problems/quota-exceeded', status: 429, policy: 'minute', limit: 60 });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(refused.headers['x-ratelimit-remaining']).toBe('0');
  });

  it('enforces the daily quota of a tier from RATE_LIMIT_TIERS', async () => {
    const { key } = await createKey(a, { tier: 'tiny' });
    for (let i = 0; i < 5; i++) await request(a.server).get('/api/v1/pages').set(bearer(key)).expect(200);
    const refused = await request(b.server).get('/api/v1/pages').set(bearer(key)).expect(429);
    expect(refused.body).toMatchObject({ policy: 'day', limit: 5 });
    expect(refused.headers['ratelimit-policy']).toBe('"minute";q=100;w=60, "day";q=5;w=86400');
  });

  it('throttles guessing with random keys per client address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 35; i++) {
      const guess = 'sk_' + Math.random().toString(36).slice(2).padEnd(40, 'x');
      statuses.push(
        (
          await request(i % 2 ? a.server : b.server)
            .get('/api/v1/pages')
            .set(bearer(guess))
        ).status,
      );
    }
    expect(statuses.slice(0, 30).every((status) => status === 401)).toBe(true);
    expect(statuses.slice(30).every((status) => status === 429)).toBe(true);
    // A valid key is counted against itself, not the exhausted address.
    const { key } = await createKey(a);
    await request(a.server).get('/api/v1/pages').set(bearer(key)).expect(200);
  });

  it('sends no rate-limit headers for the unlimited admin key and never throttles it', async () => {
    const responses = await Promise.all(Array.from({ length: 80 }, () => a.api().get('/api/v1/pages')));
    expect(responses.every((response) => response.status === 200)).toBe(true);
    expect(responses[0].headers['ratelimit']).toBeUndefined();
  });
});

describe('rate limiting with Redis down', () => {
  let environment: TestEnvironment;
  let redis: PrivateRedis | undefined;

  afterAll(async () => {
    await environment?.teardown();
    await redis?.stop();
  });

  it('falls back to per-instance counters: requests are served and still limited', async () => {
    redis = await PrivateRedis.start();
    environment = await createTestEnvironment({ REDIS_URL: redis.url, RATE_LIMIT_TIERS: '{"tiny":{"perMinute":5,"perDay":1000}}' });
    const a = await environment.start();
    const b = await environment.start();
    const { key } = await createKey(a, { tier: 'tiny' });
    await request(a.server).get('/api/v1/pages').set(bearer(key)).expect(200);

    await redis.stop();
    await pollUntil(async () => (await request(a.server).get('/health/ready')).body.status === 'degraded', 5000, 50);

    for (const instance of [a, b]) {
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) statuses.push((await request(instance.server).get('/api/v1/pages').set(bearer(key))).status);
      // Each instance counts on its own (a used one request before the outage, in Redis).
      expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
      expect(statuses.slice(5)).toEqual([429, 429]);
    }
    // Unknown keys still get 401 from the database, and are limited per address in memory.
    await request(a.server)
      .get('/api/v1/pages')
      .set(bearer('sk_' + 'Q'.repeat(40)))
      .expect(401);

    // Redis back: the instances recover by themselves (and can then shut down cleanly).
    await redis.restart();
    await pollUntil(async () => (await request(a.server).get('/health/ready')).body.status === 'ok', 10000, 100);
  });
});
