import Redis from 'ioredis';
import { PrivateRedisSentinel } from '../support/private-redis-sentinel';
import { createTestEnvironment, TestApp, TestEnvironment } from '../support/test-app';
import { eventually, WebhookReceiver } from '../support/webhook-receiver';

/**
 * A failover onto a replica that never got the last queued job. Replication is asynchronous:
 * the master acknowledged the job (and Strata marked its delivery as queued in PostgreSQL), then
 * died before its replicas had it. Here the replicas are cut off the master's replication stream
 * first (they keep their data and replication id), a delivery is queued and its first attempt
 * fails, so its retry waits on the master alone, an hour away; then the master is killed and the
 * Sentinels promote a replica. The queue's marker key is on that replica (written before the
 * cut), so only the new replication id tells the worker that jobs may be missing: the pending
 * delivery must be queued again from PostgreSQL and delivered. Without that re-queue it would
 * wait for a job that no longer exists, forever.
 */
describe('webhook delivery whose job the promoted replica never got', () => {
  let group: PrivateRedisSentinel;
  let environment: TestEnvironment;
  let strata: TestApp;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    group = await PrivateRedisSentinel.start();
    receiver = await new WebhookReceiver().start();
    environment = await createTestEnvironment({
      REDIS_URL: '',
      REDIS_SENTINELS: group.sentinels,
      REDIS_SENTINEL_NAME: group.masterName,
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      // An hour before the retry: the lost retry job would not run within this test.
      WEBHOOK_RETRY_SCHEDULE: '1h',
      OUTBOX_POLL_INTERVAL_MS: '100',
    });
    strata = await environment.start();
  }, 120_000);

  afterAll(async () => {
    await environment?.teardown();
    await receiver?.stop();
    await group?.stop();
  });

  it('is queued again from PostgreSQL and delivered', async () => {
    const prefix = environment.env.REDIS_KEY_PREFIX;
    const markerKey = `${prefix}webhooks:queue-dataset`;
    const endpoint = (
      await strata
        .api()
        .post('/api/v1/webhooks')
        .send({ url: receiver.url, events: ['page.created'] })
        .expect(201)
    ).body;

    // The marker names the master's dataset, and both replicas have it.
    const master = await group.masterPort();
    const replicationId = await eventually(async () => {
      const [marker, info] = await onNode(master, (redis) => Promise.all([redis.get(markerKey), redis.info('replication')]));
      const id = /master_replid:(\w+)/.exec(info)![1];
      return marker === id && id;
    }, 'the queue marker on the master');
    await onNode(master, (redis) => redis.wait(2, 5000));
    const replicas = await group.detachReplicas();
    expect(replicas).toHaveLength(2);
    for (const port of replicas) expect(await onNode(port, (redis) => redis.get(markerKey))).toBe(replicationId);

    // A delivery queued on the master alone; its first attempt fails, its retry waits an hour.
    receiver.respond = (_request, _index, response) => response.writeHead(503).end('down');
    const page = (await strata.api().post('/api/v1/pages').send({ slug: 'lost-in-failover', title: 'L' }).expect(201)).body;
    await eventually(() => receiver.ofType('page.created').length === 1, 'the first, failed attempt');
    const delivery = await eventually(async () => {
      const [only] = (await strata.api().get(`/api/v1/webhooks/${endpoint.id}/deliveries`).expect(200)).body.data;
      return only?.status === 'pending' && only.attempts.length === 1 && only;
    }, 'the failed attempt recorded');
    const jobKey = `${prefix}bull:webhook-deliveries:${delivery.id}_0`;
    const delayedKey = `${prefix}bull:webhook-deliveries:delayed`;
    await eventually(
      async () => (await onNode(master, (redis) => redis.zscore(delayedKey, `${delivery.id}_0`))) !== null,
      'the retry job delayed on the master',
    );
    for (const port of replicas) expect(await onNode(port, (redis) => redis.exists(jobKey))).toBe(0);

    // The crash: the master dies with the job; a replica that never had it takes over.
    receiver.respond = (_request, _index, response) => response.writeHead(204).end();
    const killedAt = Date.now();
    const promoted = await group.killMaster({ whenReplicated: false });
    expect(replicas).toContain(promoted);
    const promotedAt = Date.now();

    const delivered = await eventually(
      async () => {
        const [only] = (await strata.api().get(`/api/v1/webhooks/${endpoint.id}/deliveries`).expect(200)).body.data;
        return only.status === 'succeeded' && only;
      },
      'the delivery to succeed after the failover',
      30_000,
    );
    const deliveredAt = Date.now();
    console.log(
      `[webhook re-queue] master killed; promotion took ${promotedAt - killedAt} ms, the lost delivery succeeded ${deliveredAt - promotedAt} ms after it`,
    );
    expect(delivered.attempts).toHaveLength(2);
    expect(receiver.ofType('page.created').map((webhook) => webhook.json.data.id)).toEqual([page.id, page.id]);
  }, 120_000);
});

async function onNode<T>(port: number, work: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000 });
  try {
    return await work(redis);
  } finally {
    redis.disconnect();
  }
}
