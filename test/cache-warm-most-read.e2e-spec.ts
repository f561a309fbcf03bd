import { CacheService, ReadPopularity } from '@strata/cache';
import { contentItemKey } from '@strata/content';
import { createTestEnvironment, TestApp, TestEnvironment } from './support/test-app';
import { PrivateRedis } from './support/private-redis';
import { eventually } from './support/webhook-receiver';

describe('POST /cache/warm { mostRead } (two instances, real Redis and PostgreSQL)', () => {
  let environment: TestEnvironment;
  let first: TestApp;
  let second: TestApp;
  const inL1 = (instance: TestApp, id: string) => instance.app.get(CacheService).l1.get(contentItemKey('page', id)) !== undefined;

  beforeAll(async () => {
    environment = await createTestEnvironment();
    first = await environment.start();
    second = await environment.start();
  });
  afterAll(() => environment?.teardown());

  it('loads the items read most on all instances together, most read first', async () => {
    const ids: string[] = [];
    for (const slug of ['often', 'sometimes', 'once']) {
      ids.push((await first.api().post('/api/v1/pages').send({ slug, title: slug }).expect(201)).body.id);
    }
    const [often, sometimes, once] = ids;
    // Reads spread over both instances: `sometimes` wins on the first alone, `often` overall.
    for (let i = 0; i < 2; i++) await first.api().get(`/api/v1/pages/${often}`).expect(200);
    for (let i = 0; i < 4; i++) await second.api().get(`/api/v1/pages/${often}`).expect(200);
    for (let i = 0; i < 3; i++) await first.api().get(`/api/v1/pages/${sometimes}`).expect(200);
    await second.api().get(`/api/v1/pages/${once}`).expect(200);
    await second.app.get(ReadPopularity).flush();

    await first.api().post('/api/v1/cache/flush').send({}).expect(200);
    expect(ids.some((id) => inL1(first, id))).toBe(false);

    await first.api().post('/api/v1/cache/warm').send({ mostRead: 2 }).expect(202, { accepted: 2 });
    await eventually(() => inL1(first, often) && inL1(first, sometimes), 'the two most read pages to be warmed', 5_000);
    expect(inL1(first, once)).toBe(false);
  });

  it('keeps every count of a flush larger than one script call, most read first', async () => {
    const popularity = second.app.get(ReadPopularity);
    // 1,203 items read 1 to 3 times: several script calls in one flush (FLUSH_CHUNK is 500).
    const now = Date.UTC(2030, 0, 1, 12);
    for (let n = 0; n < 1203; n++) for (let read = 0; read <= n % 3; read++) popularity.record('probe', `item-${n}`);
    popularity.record('probe', 'item-top');
    for (let read = 0; read < 9; read++) popularity.record('probe', 'item-top');
    await popularity.flush(now);
    const most = await popularity.mostRead(1000, now);
    expect(most[0]).toEqual({ type: 'probe', id: 'item-top', reads: 10 });
    const reads = new Map(most.map((item) => [item.id, item.reads]));
    expect(reads.get('item-2')).toBe(3);
    expect(reads.get('item-1201')).toBe(2);
    expect(most.filter((item) => item.reads === 3)).toHaveLength(401);
  });

  it('refuses both or neither of items and mostRead, and a mostRead out of range', async () => {
    await first.api().post('/api/v1/cache/warm').send({}).expect(400);
    await first
      .api()
      .post('/api/v1/cache/warm')
      .send({ mostRead: 1, items: [{ type: 'page', id: '01900000-0000-7000-8000-000000000000' }] })
      .expect(400);
    await first.api().post('/api/v1/cache/warm').send({ mostRead: 0 }).expect(400);
    await first.api().post('/api/v1/cache/warm').send({ mostRead: 1001 }).expect(400);
  });

  it('answers 503 when the read counts in Redis cannot be reached', async () => {
    const redis = await PrivateRedis.start();
    const cut = await environment.start({ REDIS_URL: redis.url });
    try {
      await redis.stop();
      const response = await cut.api().post('/api/v1/cache/warm').send({ mostRead: 10 }).expect(503);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    } finally {
      await cut.close();
      await redis.stop();
    }
  });
});
