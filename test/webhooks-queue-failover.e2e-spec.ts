import Redis from 'ioredis';
import { PrivateRedis } from './support/private-redis';
import { createTestEnvironment, TestApp, TestEnvironment } from './support/test-app';
import { eventually, WebhookReceiver } from './support/webhook-receiver';

/**
 * A failover onto a replica that lacks the last queued jobs (asynchronous replication: the old
 * master acknowledged them, the replica never got them). The queue's marker key survives on the
 * replica, so only the master's changed replication id shows that jobs may be missing; the
 * pending deliveries in PostgreSQL must be queued again. Two private redis-servers play the
 * master and the replica; the "failover" replaces the master's dataset with the replica's.
 */
describe('webhook deliveries after a failover onto a replica that lacks the last jobs', () => {
  let master: PrivateRedis;
  let replica: PrivateRedis;
  let environment: TestEnvironment;
  let strata: TestApp;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    master = await PrivateRedis.start();
    replica = await PrivateRedis.start();
    await command(replica, (redis) => redis.replicaof('127.0.0.1', master.port));
    receiver = await new WebhookReceiver().start();
    // An hour between attempts: a lost retry job would never run within this test.
    environment = await createTestEnvironment({
      REDIS_URL: master.url,
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      WEBHOOK_RETRY_SCHEDULE: '1h,1h',
      OUTBOX_POLL_INTERVAL_MS: '100',
    });
    strata = await environment.start();
  });
  afterAll(async () => {
    await environment?.teardown();
    await receiver?.stop();
    await master?.stop();
    await replica?.stop();
  });

  it('queues the pending deliveries again and delivers them', async () => {
    receiver.respond = (_request, _index, response) => response.writeHead(503).end('down');
    const endpoint = (
      await strata
        .api()
        .post('/api/v1/webhooks')
        .send({ url: receiver.url, events: ['page.created'] })
        .expect(201)
    ).body;
    await strata.api().post('/api/v1/pages').send({ slug: 'replicated', title: 'R' }).expect(201);
    await eventually(() => receiver.received.length === 1, 'the first, failed attempt');
    // Everything so far (queue, retry job, marker) is on the replica; then it stops following.
    await command(master, (redis) => redis.wait(1, 5000));
    await command(replica, (redis) => redis.replicaof('NO', 'ONE'));

    await strata.api().post('/api/v1/pages').send({ slug: 'not-replicated', title: 'N' }).expect(201);
    await eventually(() => receiver.received.length === 2, 'the first attempt of the second delivery');
    const pending = (await strata.api().get(`/api/v1/webhooks/${endpoint.id}/deliveries`).expect(200)).body.data;
    expect(pending.map((delivery: { status: string }) => delivery.status)).toEqual(['pending', 'pending']);

    // The failover: the master's port now serves the replica's data, under a new replication id.
    receiver.respond = (_request, _index, response) => response.writeHead(204).end();
    await master.stop();
    await master.restart();
    await command(master, (redis) => redis.replicaof('127.0.0.1', replica.port));
    await eventually(async () => (await command(master, (redis) => redis.info('replication'))).includes('master_link_status:up'), 'the resync');
    await command(master, (redis) => redis.replicaof('NO', 'ONE'));

    await eventually(
      async () => {
        const deliveries = (await strata.api().get(`/api/v1/webhooks/${endpoint.id}/deliveries`).expect(200)).body.data;
        return deliveries.every((delivery: { status: string }) => delivery.status === 'succeeded');
      },
      'both deliveries to succeed',
      20_000,
    );
    const delivered = new Set(receiver.received.slice(2).map((webhook) => webhook.json.data.id));
    expect(delivered.size).toBe(2);
  });
});

async function command<T>(server: PrivateRedis, work: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
  try {
    return await work(redis);
  } finally {
    redis.disconnect();
  }
}
