import Redis from 'ioredis';
import { LEASE_MS } from '../libs/rate-limit/src/quota-leases';
import { httpCaller } from './support/http-call';
import { LoadGenerator, LoadResult, maxLatency, outcomes } from './support/load-generator';
import { PrivateRedis } from './support/private-redis';
import { SpawnedApp } from './support/spawned-app';
import { SseClient } from './support/sse-client';
import { createTestEnvironment, TestEnvironment } from './support/test-app';
import { eventually, WebhookReceiver } from './support/webhook-receiver';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Redis (a private redis-server, never the shared one) killed and restarted while a load
 * generator runs against Strata as a real process: no 5xx and no slow answer on account of
 * the cache, rate-limit headers on every answer, counting back in Redis once it returns, and
 * the events written during the outage still reach SSE clients and webhooks afterwards.
 */
describe('fault: Redis stopped and restarted under load', () => {
  let redis: PrivateRedis;
  let environment: TestEnvironment;
  let app: SpawnedApp;
  let receiver: WebhookReceiver;
  let sse: SseClient | undefined;

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    receiver = await new WebhookReceiver().start();
    environment = await createTestEnvironment({
      REDIS_URL: redis.url,
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      WEBHOOK_RETRY_SCHEDULE: '200ms,500ms,1s,2s',
      OUTBOX_POLL_INTERVAL_MS: '100',
      // A limited tier the load stays under, so every answer is counted and carries headers.
      RATE_LIMIT_TIERS: JSON.stringify({ basic: { perMinute: 1_000_000, perDay: 10_000_000 } }),
    });
    app = await SpawnedApp.start(environment.env);
  }, 90000);
  afterAll(async () => {
    sse?.close();
    await app?.stop();
    await environment?.teardown();
    await receiver?.stop();
    await redis?.stop();
  });

  it('serves through the outage and resumes rate limiting and events after it', async () => {
    const admin = { authorization: `Bearer ${environment.env.ADMIN_API_KEY}` };
    const call = httpCaller(app.url, admin);
    expect((await call('POST', '/api/v1/webhooks', { url: receiver.url, events: ['page.created'] })).status).toBe(201);
    const key = (await call('POST', '/api/v1/api-keys', { name: 'load', scopes: ['content:read', 'content:write'], tier: 'basic' })).body.key;
    const client = { authorization: `Bearer ${key}` };
    const pages: string[] = [];
    for (let index = 0; index < 20; index++) pages.push((await call('POST', '/api/v1/pages', { slug: `seed-${index}`, title: `Seed ${index}` })).body.id);
    sse = await SseClient.connect(`${app.url}/api/v1/events?types=page.*`, client);

    const load = new LoadGenerator(
      app.url,
      client,
      (n) =>
        n % 5 === 0
          ? { name: 'write', method: 'POST', path: '/api/v1/pages', body: { slug: `load-${n}`, title: `Load ${n}` } }
          : n % 5 === 1
            ? { name: 'list', path: '/api/v1/pages?limit=10' }
            : { name: 'read', path: `/api/v1/pages/${pages[n % pages.length]}` },
      { concurrency: 6, keepJson: true },
    ).start();

    await sleep(1500);
    await redis.stop();
    const outageStartedAt = Date.now();
    await sleep(1500);
    const duringOutage = await call('POST', '/api/v1/pages', { slug: 'written-during-outage', title: 'Outage' }, client);
    await sleep(1500);
    await redis.restart();
    const outageEndedAt = Date.now();
    await sleep(3000);
    const results = await load.stop();

    const during = results.filter((result) => result.startedAt >= outageStartedAt && result.startedAt < outageEndedAt);
    const failed = results.filter((result) => result.error || (result.status ?? 0) >= 500);
    const unlimited = results.filter((result) => !result.error && !result.headers?.get('ratelimit'));
    const summary = `${results.length} requests (${during.length} during the outage): ${JSON.stringify(outcomes(results))}; max ${maxLatency(results)} ms`;
    console.log(`[faults-redis] ${summary}`);
    expect(during.length).toBeGreaterThan(20);
    expect(failed.map(describeResult)).toEqual([]);
    expect(unlimited).toHaveLength(0);
    // No request waits on the dead Redis for longer than a short timeout. The bound leaves room
    // for a busy CI machine (2.1 s was seen with three test runs sharing 2 cores); a request
    // stuck on Redis would not answer at all before the load generator's own timeout.
    expect(maxLatency(results)).toBeLessThan(5000);
    expect(duringOutage.status).toBe(201);

    // Counting is back in Redis (it restarted empty, so any limiter key is a new one) once the
    // instance has reconnected and its next request asks Redis: a lease of quota granted before
    // the outage pays requests without Redis for up to LEASE_MS, and the reconnection itself
    // backs off. One GET right after the load found no key once in CI (a full suite on 2 cores),
    // so requests go on until one does.
    const probe = new Redis(redis.url);
    try {
      await eventually(
        async () => {
          await call('GET', `/api/v1/pages/${pages[0]}`, undefined, client);
          const [, keys] = await probe.scan('0', 'MATCH', `${environment.env.REDIS_KEY_PREFIX}rl:*`, 'COUNT', 1000);
          return keys.length > 0;
        },
        'a rate-limit key in the restarted Redis',
        LEASE_MS * 3,
      );
    } finally {
      probe.disconnect();
    }

    // Every page the load (and the outage write) created reaches the webhook; the outage write reaches SSE.
    const created = [duringOutage.body.id, ...results.filter((result) => result.name === 'write' && result.status === 201).map((result) => result.json.id)];
    await eventually(() => sse!.messages.some((message) => message.data?.data?.id === duringOutage.body.id), 'the outage write on the SSE stream', 20000);
    await eventually(
      () => {
        const delivered = new Set(receiver.ofType('page.created').map((webhook) => webhook.json.data.id));
        return created.every((id) => delivered.has(id));
      },
      'every page.created to be delivered',
      30000,
    );
    console.log(`[faults-redis] ${created.length} writes, all delivered; ${receiver.ofType('page.created').length} deliveries received`);
  }, 120000);
});

function describeResult(result: LoadResult): string {
  return `${result.name} ${result.error ?? result.status} after ${result.ms} ms ${result.body ?? ''}`;
}
