import { CacheService } from '@strata/cache';
import Redis from 'ioredis';
import { createTestEnvironment, TestApp, TestEnvironment } from './support/test-app';
import { TEST_REDIS_URL } from './support/test-infra';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const cacheOf = (instance: TestApp) => instance.app.get(CacheService);

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (await condition()) return;
    await sleep(25);
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe('cache (two instances, real Redis and PostgreSQL)', () => {
  let environment: TestEnvironment;
  let first: TestApp;
  let second: TestApp;

  beforeAll(async () => {
    environment = await createTestEnvironment();
    first = await environment.start();
    second = await environment.start();
  });
  afterAll(() => environment.teardown());

  async function createPage(slug: string, title = 'Title'): Promise<{ id: string }> {
    const response = await first
      .api()
      .post('/api/v1/pages')
      .send({ slug, title, body: 'body', metadata: { at: { $date: 'kept as is' } } })
      .expect(201);
    return response.body;
  }

  it('read-after-write is never stale on the writer and fresh on another instance within 100 ms', async () => {
    const page = await createPage('read-after-write', 'Before');
    // Both instances hold the page in L1 (and Redis) before the write.
    for (const instance of [first, second]) {
      for (let i = 0; i < 2; i++) expect((await instance.api().get(`/api/v1/pages/${page.id}`).expect(200)).body.title).toBe('Before');
    }

    for (let round = 1; round <= 5; round++) {
      await first
        .api()
        .patch(`/api/v1/pages/${page.id}`)
        .send({ title: `After ${round}` })
        .expect(200);
      expect((await first.api().get(`/api/v1/pages/${page.id}`).expect(200)).body.title).toBe(`After ${round}`);
      await sleep(100);
      expect((await second.api().get(`/api/v1/pages/${page.id}`).expect(200)).body.title).toBe(`After ${round}`);
    }
  });

  it('invalidates lists and searches that may contain a changed item', async () => {
    await createPage('listed-one', 'Listed one');
    const before = await second.api().get('/api/v1/pages?q=listed&limit=100').expect(200);
    expect(before.headers['cache-control']).toBe('private, no-cache');
    await createPage('listed-two', 'Listed two');
    await sleep(100);
    const after = await second.api().get('/api/v1/pages?q=listed&limit=100').expect(200);
    expect(after.body.data.length).toBe(before.body.data.length + 1);
  });

  it('500 concurrent reads of a cold key across two instances load it from the database exactly once', async () => {
    const page = await createPage('stampede');
    // A write caches the item it wrote; drop it everywhere so the key is cold.
    await first
      .api()
      .post('/api/v1/cache/flush')
      .send({ tags: [`page:${page.id}`] })
      .expect(200);
    await sleep(100);
    expect(cacheOf(second).l1.get(`content:page:${page.id}`)).toBeUndefined();
    const loadsBefore = cacheOf(first).stats.lifetime.loads + cacheOf(second).stats.lifetime.loads;
    const responses = await Promise.all(Array.from({ length: 500 }, (_, i) => (i % 2 === 0 ? first : second).api().get(`/api/v1/pages/${page.id}`)));
    expect(responses.every((response) => response.status === 200 && response.body.id === page.id)).toBe(true);
    const loads = cacheOf(first).stats.lifetime.loads + cacheOf(second).stats.lifetime.loads - loadsBefore;
    expect(loads).toBe(1);

    // The lock was released with its token (Lua, under the key prefix): nothing is left behind.
    const redis = new Redis(TEST_REDIS_URL);
    try {
      const [, locks] = await redis.scan('0', 'MATCH', `${environment.env.REDIS_KEY_PREFIX}cache:lock:*`, 'COUNT', 10_000);
      expect(locks).toEqual([]);
    } finally {
      redis.disconnect();
    }
  });

  it('caches what a write committed, and never lets an older version replace a newer one', async () => {
    const page = await createPage('write-through', 'V1');
    const loadsBefore = cacheOf(first).stats.lifetime.loads;
    expect((await first.api().get(`/api/v1/pages/${page.id}`).expect(200)).body.title).toBe('V1');
    expect(cacheOf(first).stats.lifetime.loads).toBe(loadsBefore);

    const key = `content:page:${page.id}`;
    const current = (await first.api().get(`/api/v1/pages/${page.id}`).expect(200)).body;
    await cacheOf(second).setVersioned(key, { ...current, version: current.version + 5, title: 'Newer' });
    await cacheOf(first).setVersioned(key, { ...current, title: 'Older' });
    await sleep(100);
    for (const instance of [first, second]) {
      expect((await instance.api().get(`/api/v1/pages/${page.id}`).expect(200)).body.title).toBe('Newer');
    }
  });

  it("keeps a peer's newer version when an older commit's cache step runs after it, and drops the rest the step names", async () => {
    const tag = 'test:commit-step';
    const key = 'test:commit-step:item';
    await cacheOf(first).set('test:commit-step:list', ['a list'], { tags: [tag] });
    // Two commits of one item, their cache steps out of order: the newer (v7, on the second
    // instance) lands first, then the older (v6) drops the item's tag and writes its version.
    await cacheOf(second).replaceAfterWrite([tag], [{ key, value: { version: 7, title: 'Newer' } as { version: number }, options: { tags: [tag] } }]);
    await cacheOf(first).replaceAfterWrite([tag], [{ key, value: { version: 6, title: 'Older' } as { version: number }, options: { tags: [tag] } }]);
    await sleep(100);
    for (const instance of [first, second]) {
      expect(await cacheOf(instance).get(key)).toEqual({ version: 7, title: 'Newer' });
      expect(await cacheOf(instance).exists('test:commit-step:list')).toBe(false);
    }
    // The item is still found by its tag (in Redis: this instance's L1 goes first).
    await cacheOf(first).deleteByTag(tag);
    expect(await cacheOf(first).exists(key)).toBe(false);
  });

  it('keeps ETag and 304 working through the cache, with Cache-Control', async () => {
    const page = await createPage('etag-through-cache');
    const read = await second.api().get(`/api/v1/pages/${page.id}`).expect(200);
    expect(read.headers['cache-control']).toBe('private, no-cache');
    await second.api().get(`/api/v1/pages/${page.id}`).set('If-None-Match', read.headers.etag).expect(304);
    await first.api().patch(`/api/v1/pages/${page.id}`).send({ title: 'Changed' }).expect(200);
    await sleep(100);
    const changed = await second.api().get(`/api/v1/pages/${page.id}`).set('If-None-Match', read.headers.etag).expect(200);
    expect(changed.headers.etag).not.toBe(read.headers.etag);
  });

  it('round-trips dates and user objects shaped like its markers through Redis', async () => {
    const cache = cacheOf(first);
    const value = { at: new Date('2026-05-06T07:08:09.010Z'), nested: [{ $date: 'user data' }] };
    await cache.set('test:codec', value);
    cache.l1.delete('test:codec');
    const fromRedis = await cache.get<typeof value>('test:codec');
    expect(fromRedis).toEqual(value);
    expect(fromRedis?.at).toBeInstanceOf(Date);
  });

  it('serves stale while revalidating, and stale-if-error when the loader throws', async () => {
    const cache = cacheOf(first);
    const options = { ttl: 0.05, grace: 60, tags: ['test:swr'] };
    expect(await cache.getOrLoad('test:swr', async () => 'v1', options)).toBe('v1');
    await sleep(100);

    const failing = jest.fn(async (): Promise<string> => {
      throw new Error('source down');
    });
    const staleIfErrorBefore = cache.stats.counters.staleIfError;
    expect(await cache.getOrLoad('test:swr', failing, options)).toBe('v1');
    await until(() => cache.stats.counters.staleIfError > staleIfErrorBefore, 'the failed background refresh');
    expect(failing).toHaveBeenCalledTimes(1);
    expect(await cache.getOrLoad('test:swr', failing, options)).toBe('v1');

    await until(async () => (await cache.getOrLoad('test:swr', async () => 'v2', options)) === 'v2', 'a successful refresh');
  });

  it('refreshes a stale entry in two Redis commands besides the load, leaving no lock behind', async () => {
    const cache = cacheOf(first);
    const key = 'test:refresh-commands';
    const options = { ttl: 0.05, grace: 60, tags: ['test:refresh-tag'] };
    expect(await cache.getOrLoad(key, async () => 'v1', options)).toBe('v1');
    await sleep(100);

    const client = new Redis(TEST_REDIS_URL);
    const monitor = await client.monitor();
    const commands: string[][] = [];
    // Commands sent by a client, not those a script ran (MONITOR's source is "lua" for these).
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      if (source !== 'lua' && args.some((arg) => arg.includes(key))) commands.push(args);
    });
    try {
      expect(await cache.getOrLoad(key, async () => 'v2', options)).toBe('v1');
      await until(async () => (await cache.getOrLoad(key, async () => 'v3', options)) === 'v2', 'the background refresh');
      await sleep(100);
    } finally {
      monitor.disconnect();
      client.disconnect();
    }
    // The first reads the entry or takes the lock; the second writes the entry and its tag set and releases the lock.
    expect(commands.map(([command]) => command.toLowerCase())).toEqual(['eval', 'eval']);
    expect(commands.some(([command, , , entry, lock]) => command === 'eval' && entry?.endsWith(`cache:e:${key}`) && lock?.endsWith(`cache:lock:${key}`))).toBe(
      true,
    );

    const redis = new Redis(TEST_REDIS_URL);
    try {
      expect(await redis.exists(`${environment.env.REDIS_KEY_PREFIX}cache:lock:${key}`)).toBe(0);
      expect(await redis.smembers(`${environment.env.REDIS_KEY_PREFIX}cache:t:test:refresh-tag`)).toEqual([key]);
    } finally {
      redis.disconnect();
    }
  });

  it("takes a peer's refreshed value instead of loading, without taking the lock", async () => {
    const key = 'test:refreshed-by-peer';
    const options = { ttl: 0.05, grace: 60 };
    expect(await cacheOf(second).getOrLoad(key, async () => 'v1', options)).toBe('v1');
    expect(await cacheOf(first).getOrLoad(key, async () => 'unused', options)).toBe('v1');
    await sleep(100);
    // The first instance refreshes it (served stale meanwhile), with a longer TTL this time.
    expect(await cacheOf(first).getOrLoad(key, async () => 'v2', { ...options, ttl: 60 })).toBe('v1');
    await until(async () => (await cacheOf(first).get(key)) === 'v2', 'the refresh on the first instance');

    // The second still holds v1, stale, in its L1: its refresh finds v2 fresh in Redis.
    const loader = jest.fn(async () => 'v3');
    expect(await cacheOf(second).getOrLoad(key, loader, options)).toBe('v1');
    await until(() => cacheOf(second).l1.get(key)?.value === 'v2', "the peer's value in L1");
    expect(loader).not.toHaveBeenCalled();
    const redis = new Redis(TEST_REDIS_URL);
    try {
      expect(await redis.exists(`${environment.env.REDIS_KEY_PREFIX}cache:lock:${key}`)).toBe(0);
    } finally {
      redis.disconnect();
    }
  });

  it('single-flights concurrent misses within one process', async () => {
    const cache = cacheOf(second);
    let loads = 0;
    const loader = async () => {
      loads += 1;
      await sleep(20);
      return 'value';
    };
    const values = await Promise.all(Array.from({ length: 100 }, () => cache.getOrLoad('test:single-flight', loader)));
    expect(values.every((value) => value === 'value')).toBe(true);
    expect(loads).toBe(1);
  });

  it('deletes by tag, key and prefix in both tiers (SCAN for prefixes)', async () => {
    const cache = cacheOf(first);
    await cache.set('test:p:1', 1, { tags: ['test:tag'] });
    await cache.set('test:p:2', 2);
    await cache.set('test:q:1', 3);
    await cache.deleteByTag('test:tag');
    expect(await cache.exists('test:p:1')).toBe(false);
    await cache.deleteByPrefix('test:p:');
    expect(await cache.exists('test:p:2')).toBe(false);
    expect(await cache.exists('test:q:1')).toBe(true);
    expect(await cache.ttl('test:q:1')).toBeGreaterThan(0);
    expect(await cache.expire('test:q:1', 1000)).toBe(true);
    expect(await cache.ttl('test:q:1')).toBeGreaterThan(900);
    await cache.delete('test:q:1');
    expect(await cache.ttl('test:q:1')).toBe(-2);
    expect(await cache.incr('test:counter', 2, 60)).toBe(2);
    expect(await cacheOf(second).incr('test:counter', 3, 60)).toBe(5);
  });

  describe('admin routes', () => {
    it('summarizes, reports health and stats, and resets them', async () => {
      const summary = await first.api().get('/api/v1/cache').expect(200);
      expect(summary.body).toMatchObject({ status: 'ok', l2: 'up', circuit: 'closed', bus: 'subscribed' });
      expect(summary.body.warmableTypes).toEqual(expect.arrayContaining(['page', 'module', 'media']));
      expect((await first.api().get('/api/v1/cache/health').expect(200)).body.status).toBe('ok');

      const stats = await first.api().get('/api/v1/cache/stats').expect(200);
      expect(stats.body.l1Hits).toBeGreaterThan(0);
      expect(stats.body.l2.entries).toBeGreaterThan(0);
      expect(stats.body.latency.l1.p99).not.toBeNull();
      const reset = await first.api().post('/api/v1/cache/stats/reset').expect(200);
      expect(reset.body).toMatchObject({ l1Hits: 0, misses: 0, loads: 0, hitRate: null });

      const metrics = await first.api().get('/metrics').expect(200);
      expect(metrics.text).toMatch(/strata_cache_reads_total\{result="l1_hit"\} [1-9]/);
      expect(metrics.text).toMatch(/strata_cache_l1_entries [1-9]/);
    });

    it('flushes by tags on every instance, or everything', async () => {
      const page = await createPage('flushed');
      await second.api().get(`/api/v1/pages/${page.id}`).expect(200);
      expect(cacheOf(second).l1.get(`content:page:${page.id}`)).toBeDefined();
      await first
        .api()
        .post('/api/v1/cache/flush')
        .send({ tags: [`page:${page.id}`] })
        .expect(200, { flushed: 'tags', tags: [`page:${page.id}`] });
      await until(() => cacheOf(second).l1.get(`content:page:${page.id}`) === undefined, 'the bus to drop the entry on the other instance');

      await second.api().get(`/api/v1/pages/${page.id}`).expect(200);
      await first.api().post('/api/v1/cache/flush').expect(200, { flushed: 'all' });
      await until(() => cacheOf(second).l1.entries === 0, 'the bus to clear the other instance');
      expect((await first.api().get('/api/v1/cache/stats').expect(200)).body.l2.entries).toBe(0);
    });

    it('warms given items in the background', async () => {
      const page = await createPage('warmed');
      await first.api().post('/api/v1/cache/flush').expect(200);
      await first
        .api()
        .post('/api/v1/cache/warm')
        .send({ items: [{ type: 'page', id: page.id }] })
        .expect(202, { accepted: 1 });
      await until(() => cacheOf(first).l1.get(`content:page:${page.id}`) !== undefined, 'the page to be warmed');
    });

    it('answers problems for bad input', async () => {
      const badFlush = await first.api().post('/api/v1/cache/flush').send({ tags: 'page' }).expect(400);
      expect(badFlush.headers['content-type']).toMatch(/application\/problem\+json/);
      await first.api().post('/api/v1/cache/flush').send({ everything: true }).expect(400);
      await first.api().post('/api/v1/cache/warm').send({}).expect(400);
      const unknown = await first
        .api()
        .post('/api/v1/cache/warm')
        .send({ items: [{ type: 'widget', id: 'x' }] })
        .expect(422);
      expect(unknown.body.errors.items[0]).toMatch(/page/);
    });
  });
});

describe('cache L1 bounds', () => {
  let environment: TestEnvironment;
  let instance: TestApp;

  beforeAll(async () => {
    environment = await createTestEnvironment({ CACHE_L1_MAX_ENTRIES: '50', CACHE_L1_MAX_BYTES: '200000' });
    instance = await environment.start();
  });
  afterAll(() => environment.teardown());

  it('never exceeds its entry or byte bound under a flood of large values', async () => {
    const cache = cacheOf(instance);
    const large = (i: number) => ({ i, text: 'x'.repeat(5_000 + ((i * 7919) % 20_000)) });
    await Promise.all(
      Array.from({ length: 400 }, async (_, i) => {
        await cache.getOrLoad(`test:flood:${i}`, async () => large(i));
        expect(cache.l1.entries).toBeLessThanOrEqual(50);
        expect(cache.l1.bytes).toBeLessThanOrEqual(200_000);
      }),
    );
    expect(cache.l1.bytes).toBeGreaterThan(100_000);
    // A value larger than the whole budget is served but never kept in L1.
    expect((await cache.getOrLoad('test:flood:huge', async () => 'y'.repeat(300_000))).length).toBe(300_000);
    expect(cache.l1.get('test:flood:huge')).toBeUndefined();
    expect(cache.l1.bytes).toBeLessThanOrEqual(200_000);
  });
});
