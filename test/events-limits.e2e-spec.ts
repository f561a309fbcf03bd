import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Redis from 'ioredis';
import { createKey, IssuedKey } from './support/api-keys';
import { SseClient } from './support/sse-client';
import { createTestEnvironment, TestApp, TestEnvironment } from './support/test-app';
import { eventually } from './support/webhook-receiver';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: any;
}

/** A stream request that was refused: its status, headers and problem body. */
function refusedStream(url: string, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { accept: 'text/event-stream', ...headers } }, (response) => {
        if (response.statusCode === 200) {
          response.destroy();
          reject(new Error('the stream was accepted'));
          return;
        }
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body: JSON.parse(text) }));
      })
      .on('error', reject);
  });
}

/**
 * Stream limits: connections per key counted across instances by the key's tier (429 with
 * Retry-After), released when a stream closes, expiring when an instance stops renewing them;
 * and EVENTS_MAX_SUBSCRIBERS per instance (503 with Retry-After).
 */
describe('live events limits', () => {
  let environment: TestEnvironment;
  let first: TestApp;
  let second: TestApp;
  let small: TestApp;
  let redis: Redis;
  let key: IssuedKey;
  const clients: SseClient[] = [];

  const streamUrl = (instance: TestApp) => `http://127.0.0.1:${(instance.app.getHttpServer().address() as AddressInfo).port}/api/v1/events`;
  const open = async (instance: TestApp, headers: Record<string, string>) => {
    const client = await SseClient.connect(streamUrl(instance), headers);
    expect(client.response?.statusCode).toBe(200);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    environment = await createTestEnvironment({
      PROCESS_ROLE: 'api',
      RATE_LIMIT_TIERS: JSON.stringify({ free: { perMinute: 1000, perDay: 100000, streams: 2 } }),
    });
    first = await environment.start();
    second = await environment.start();
    small = await environment.start({ EVENTS_MAX_SUBSCRIBERS: '2' });
    for (const instance of [first, second, small]) await instance.app.listen(0, '127.0.0.1');
    redis = new Redis(environment.env.REDIS_URL, { keyPrefix: environment.env.REDIS_KEY_PREFIX });
    key = await createKey(first, { scopes: ['content:read'], tier: 'free' });
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    redis?.disconnect();
    await environment?.teardown();
  });

  it("counts a key's streams across instances, answers 429 past its tier's limit, and frees a slot when a stream closes", async () => {
    const headers = { authorization: `Bearer ${key.key}` };
    await open(first, headers);
    const onSecond = await open(second, headers);

    const refused = await refusedStream(streamUrl(first), headers);
    expect(refused.status).toBe(429);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(refused.body).toMatchObject({ status: 429, policy: 'streams', limit: 2 });
    expect(refused.body.type).toMatch(/quota-exceeded$/);

    onSecond.close();
    await eventually(async () => (await redis.zcard(`events:streams:${key.id}`)) === 1, "the closed stream's slot to be released");
    await open(first, headers);
  });

  it("stops counting a crashed instance's streams once their slots expire", async () => {
    for (const client of clients.splice(0)) client.close();
    const slots = `events:streams:${key.id}`;
    await eventually(async () => (await redis.zcard(slots)) === 0, 'every slot released');
    // What an instance that crashed leaves behind: one slot past its expiry, one not yet.
    await redis.zadd(slots, Date.now() - 1000, 'crashed:1', Date.now() + 20_000, 'crashed:2');

    await open(second, { authorization: `Bearer ${key.key}` });
    const refused = await refusedStream(streamUrl(second), { authorization: `Bearer ${key.key}` });
    expect(refused.status).toBe(429);
    // The earliest slot frees itself in about 20 s if nobody renews it.
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(10);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(20);
    expect(await redis.zscore(slots, 'crashed:1')).toBeNull();
  });

  it('refuses subscribers past EVENTS_MAX_SUBSCRIBERS with 503 while other instances still accept', async () => {
    const admin = { authorization: `Bearer ${environment.env.ADMIN_API_KEY}` };
    await open(small, admin);
    await open(small, admin);
    const refused = await refusedStream(streamUrl(small), admin);
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBeDefined();
    expect(refused.body.detail).toContain('EVENTS_MAX_SUBSCRIBERS');
    await open(first, admin);

    clients.at(-2)!.close();
    await eventually(
      async () => (await SseClient.connect(streamUrl(small), admin).then((client) => (clients.push(client), client.response?.statusCode))) === 200,
      'room again on the full instance',
    );
  });
});
