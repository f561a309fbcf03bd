import { CacheService } from '@strata/cache';
import { PrivateRedis } from './support/private-redis';
import { createTestEnvironment, TestApp, TestEnvironment } from './support/test-app';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 400; attempt++) {
    if (await condition()) return;
    await sleep(50);
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe('cache with Redis stopped mid-test (a private redis-server)', () => {
  let redis: PrivateRedis;
  let environment: TestEnvironment;
  let instance: TestApp;

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    environment = await createTestEnvironment({ REDIS_URL: redis.url });
    instance = await environment.start();
  });
  afterAll(async () => {
    await environment.teardown();
    await redis.stop();
  });

  it('keeps answering reads from L1 and the database, reports degraded, then recovers by itself', async () => {
    const api = instance.api();
    const cached = (await api.post('/api/v1/pages').send({ slug: 'cached', title: 'Cached' }).expect(201)).body;
    const uncached = (await api.post('/api/v1/pages').send({ slug: 'uncached', title: 'Uncached' }).expect(201)).body;
    await api.get(`/api/v1/pages/${cached.id}`).expect(200);
    expect((await api.get('/api/v1/cache/health').expect(200)).body.status).toBe('ok');

    await redis.stop();
    const cache = instance.app.get(CacheService);
    await until(() => cache.status === 'degraded', 'the cache to notice Redis is gone');

    for (let i = 0; i < 20; i++) {
      expect((await api.get(`/api/v1/pages/${cached.id}`).expect(200)).body.title).toBe('Cached');
      expect((await api.get(`/api/v1/pages/${uncached.id}`).expect(200)).body.title).toBe('Uncached');
      expect((await api.get('/api/v1/pages?limit=10').expect(200)).body.data).toHaveLength(2);
    }
    const health = await api.get('/health');
    expect(health.body.status).toBe('degraded');
    expect(health.body.details.cache.status).toBe('down');
    expect((await api.get('/health/ready').expect(200)).body.status).toBe('degraded');
    expect((await api.get('/api/v1/cache/health').expect(200)).body).toMatchObject({ status: 'degraded', l2: 'unavailable' });

    await redis.restart();
    await until(() => cache.status === 'ok', 'the cache to recover');
    // Reconnected after a gap in the bus: L1 was cleared, since invalidations may have been missed.
    expect(cache.l1.get(`content:page:${cached.id}`)).toBeUndefined();
    await until(async () => {
      await api.get(`/api/v1/pages/${uncached.id}`).expect(200);
      return (await cache.l2.countEntries()) !== undefined && ((await cache.l2.countEntries()) ?? 0) > 0;
    }, 'reads to fill Redis again');
    expect((await api.get('/health').expect(200)).body.details.cache.status).toBe('up');
  });
});
