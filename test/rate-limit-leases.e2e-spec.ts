import { loadConfig, MetricsService, RedisConnections } from '@strata/core';
import { RedisThrottlerStorage } from '../libs/rate-limit/src/redis-throttler.storage';
import { SLIDING_WINDOW_SCRIPT } from '../libs/rate-limit/src/sliding-window.script';
import type Redis from 'ioredis';
import { deleteRedisPrefix, TEST_REDIS_URL, uniqueSuffix } from './support/test-infra';

type ScriptClient = Redis & { rl(log: string, day: string, sum: string, ...args: (string | number)[]): Promise<[string, ...number[]]> };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Quota leases (QuotaLeases + the sliding-window script) against a real Redis: busy subjects of
 * large tiers are counted mostly in process, and still never get more than their limit across
 * instances.
 */
describe('rate-limit quota leases', () => {
  const prefix = `test:leases-${uniqueSuffix()}:`;
  const connections: RedisConnections[] = [];
  const storages: RedisThrottlerStorage[] = [];
  const metrics: MetricsService[] = [];
  let script: ScriptClient;

  beforeAll(async () => {
    for (let i = 0; i < 2; i++) {
      const redis = new RedisConnections(loadConfig({ REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix }));
      connections.push(redis);
      metrics.push(new MetricsService());
      storages.push(new RedisThrottlerStorage(redis, metrics[i]));
    }
    script = connections[0].client as ScriptClient;
    script.defineCommand('rl', { numberOfKeys: 3, lua: SLIDING_WINDOW_SCRIPT });
    // Each storage opens its own connection; wait until both answer from Redis, not from memory.
    await sleep(300);
  });
  afterAll(async () => {
    await Promise.all(connections.map((redis) => redis.onApplicationShutdown()));
    await deleteRedisPrefix(prefix);
  });

  const countsBy = async (registry: MetricsService) =>
    Object.fromEntries(
      (await registry.registry.getSingleMetric('strata_rate_limit_requests_total')!.get()).values.map((value) => [
        `${value.labels.outcome}/${value.labels.backend}`,
        value.value,
      ]),
    );

  it('allows exactly the limit across two instances while most requests are paid from leases', async () => {
    const limits = { perMinute: 5000, perDay: 1_000_000 };
    let allowed = 0;
    // 5 600 requests alternating between the instances, 20 in flight at a time.
    for (let batch = 0; batch < 280; batch++) {
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => storages[i % 2].consume('key:busy', limits, 1)));
      allowed += results.filter((result) => result.allowed).length;
    }
    expect(allowed).toBe(5000);
    const [first, second] = await Promise.all(metrics.map(countsBy));
    const fromLeases = (first['allowed/lease'] ?? 0) + (second['allowed/lease'] ?? 0);
    expect(fromLeases).toBeGreaterThan(4000);
    expect((first['allowed/memory'] ?? 0) + (second['allowed/memory'] ?? 0)).toBe(0);
    // What Redis recorded is what was allowed: no token was lost or counted twice.
    expect(Number(await connections[0].client.get('rl:{key:busy}:ws'))).toBe(5000);
  });

  it('never leases for a small tier: every request is counted in Redis and the headers are exact', async () => {
    const limits = { perMinute: 60, perDay: 1000 };
    for (let i = 1; i <= 5; i++) {
      const result = await storages[i % 2].consume('key:small', limits, 1);
      expect(result.policies[0].remaining).toBe(60 - i);
    }
    expect(Number(await connections[0].client.get('rl:{key:small}:ws'))).toBe(5);
  });

  it('counts leased tokens for as long as they can be spent, so no window ever holds more than the limit', async () => {
    const [log, day, sum] = ['rl:{s1}:w', 'rl:{s1}:d', 'rl:{s1}:ws'];
    // A 500 ms window; the request (cost 1) takes a lease of 9 more tokens, spendable for 300 ms.
    const granted = await script.rl(log, day, sum, 10, 1000, 1, 500, 'a:1', 9, 300);
    expect(granted).toEqual(['', 10, expect.any(Number), 10, expect.any(Number), 0, 9, 300]);
    const full = await script.rl(log, day, sum, 10, 1000, 1, 500, 'b:1', 0, 300);
    expect(full[0]).toBe('minute');
    expect(full[5]).toBeGreaterThan(700);
    // Past the window from the grant, but a token spent at 299 ms still counts until 799 ms.
    await sleep(550);
    expect((await script.rl(log, day, sum, 10, 1000, 1, 500, 'b:2', 0, 300))[0]).toBe('minute');
    await sleep(300);
    expect(await script.rl(log, day, sum, 10, 1000, 1, 500, 'b:3', 0, 300)).toEqual(['', 1, expect.any(Number), 11, expect.any(Number), 0, 0, 0]);
  });

  it('grants no more than both windows have room for, and rebuilds a lost sum from the log', async () => {
    const [log, day, sum] = ['rl:{s2}:w', 'rl:{s2}:d', 'rl:{s2}:ws'];
    expect((await script.rl(log, day, sum, 1000, 5, 1, 60_000, 'a:1', 100, 1000)).slice(6)).toEqual([4, 1000]);
    expect((await script.rl(log, day, sum, 1000, 5, 1, 60_000, 'a:2', 100, 1000))[0]).toBe('day');
    const [log3, day3, sum3] = ['rl:{s3}:w', 'rl:{s3}:d', 'rl:{s3}:ws'];
    await script.rl(log3, day3, sum3, 1000, 100_000, 2, 60_000, 'a:1', 10, 1000);
    await script.rl(log3, day3, sum3, 1000, 100_000, 1, 60_000, 'a:2', 0, 1000);
    await connections[0].client.del(sum3);
    expect((await script.rl(log3, day3, sum3, 1000, 100_000, 1, 60_000, 'a:3', 0, 1000))[1]).toBe(14);
  });
});
