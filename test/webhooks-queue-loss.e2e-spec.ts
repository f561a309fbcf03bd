import { createTestEnvironment, TestApp, TestEnvironment } from './support/test-app';
import { deleteRedisPrefix } from './support/test-infra';
import { eventually, WebhookReceiver } from './support/webhook-receiver';

/**
 * Redis restarted without its data loses the queued jobs; the pending deliveries in PostgreSQL
 * must be queued again, so nothing is lost.
 */
describe('webhook deliveries after Redis lost its data', () => {
  let environment: TestEnvironment;
  let strata: TestApp;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    // An hour between attempts: without a re-queue, a lost retry job would never run in this test.
    environment = await createTestEnvironment({ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_RETRY_SCHEDULE: '1h,1h', OUTBOX_POLL_INTERVAL_MS: '100' });
    strata = await environment.start();
    receiver = await new WebhookReceiver().start();
  });
  afterAll(async () => {
    await receiver?.stop();
    await environment?.teardown();
  });

  it('queues pending deliveries again and delivers them', async () => {
    receiver.respond = (_request, index, response) => (index === 0 ? response.writeHead(503).end('down') : response.writeHead(200).end('ok'));
    const endpoint = (
      await strata
        .api()
        .post('/api/v1/webhooks')
        .send({ url: receiver.url, events: ['page.created'] })
        .expect(201)
    ).body;
    await strata.api().post('/api/v1/pages').send({ slug: 'survives', title: 'S' }).expect(201);
    await eventually(() => receiver.received.length === 1, 'the first, failed attempt');
    const pending = (await strata.api().get(`/api/v1/webhooks/${endpoint.id}/deliveries`).expect(200)).body.data[0];
    expect(pending.status).toBe('pending');

    // Every key of this environment's Redis prefix goes: the delayed retry job and the marker.
    // The queue's keys first: deleting is a page of SCAN at a time, and a worker pass that found
    // the marker gone while the job was still there would re-queue nothing, then lose the job.
    await deleteRedisPrefix(`${environment.env.REDIS_KEY_PREFIX}bull`);
    await deleteRedisPrefix(environment.env.REDIS_KEY_PREFIX);

    const delivered = await eventually(async () => {
      const [delivery] = (await strata.api().get(`/api/v1/webhooks/${endpoint.id}/deliveries`).expect(200)).body.data;
      return delivery.status === 'succeeded' && delivery;
    }, 'the delivery succeeding after the re-queue');
    expect(delivered.attempts.map((attempt: { statusCode: number }) => attempt.statusCode)).toEqual([503, 200]);
    expect(receiver.received).toHaveLength(2);
  });
});
