import { DataSource } from 'typeorm';
import { PrivateRedis } from './support/private-redis';
import { createTestEnvironment, TestApp, TestEnvironment } from './support/test-app';
import { eventually, WebhookReceiver } from './support/webhook-receiver';

/** The transactional outbox: events are rows of the writing transaction, and wait there while Redis is away. */
describe('outbox', () => {
  let redis: PrivateRedis;
  let environment: TestEnvironment;
  let strata: TestApp;
  let receiver: WebhookReceiver;
  let dataSource: DataSource;

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    receiver = await new WebhookReceiver().start();
    environment = await createTestEnvironment({ REDIS_URL: redis.url, WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', OUTBOX_POLL_INTERVAL_MS: '100' });
    strata = await environment.start();
    dataSource = strata.app.get(DataSource);
  });
  afterAll(async () => {
    await environment?.teardown();
    await receiver?.stop();
    await redis?.stop();
  });

  const unrelayed = () => dataSource.query<{ type: string; payload: any }[]>(`SELECT type, payload FROM outbox_events WHERE relayed_at IS NULL ORDER BY seq`);

  it('writes one event row per content write, in the same transaction', async () => {
    const page = (await strata.api().post('/api/v1/pages').send({ slug: 'outboxed', title: 'O' }).expect(201)).body;
    await strata.api().patch(`/api/v1/pages/${page.id}`).send({ title: 'O2' }).expect(200);
    await strata.api().delete(`/api/v1/pages/${page.id}`).expect(204);
    // A batch that fails leaves no event behind.
    await strata
      .api()
      .post('/api/v1/pages/batch')
      .send({
        operations: [
          { op: 'create', data: { slug: 'never', title: 'N' } },
          { op: 'delete', id: page.id },
        ],
      })
      .expect(404);

    const rows: { type: string; payload: any }[] = await dataSource.query(
      `SELECT type, payload FROM outbox_events WHERE payload->'data'->>'id' = $1 ORDER BY seq`,
      [page.id],
    );
    expect(rows.map((row) => row.type)).toEqual(['page.created', 'page.updated', 'page.deleted']);
    expect(rows[1].payload).toMatchObject({
      id: expect.stringMatching(/^evt_/),
      type: 'page.updated',
      timestamp: expect.any(String),
      data: { id: page.id, title: 'O2' },
    });
    expect(await dataSource.query(`SELECT 1 FROM outbox_events WHERE payload->'data'->>'slug' = 'never'`)).toEqual([]);
    await eventually(async () => (await unrelayed()).length === 0, 'the relay to take every row');
  });

  it('keeps accepting writes while Redis is down and delivers their events once it is back', async () => {
    await strata
      .api()
      .post('/api/v1/webhooks')
      .send({ url: receiver.url, events: ['page.created'] })
      .expect(201);
    await strata.api().post('/api/v1/pages').send({ slug: 'before-outage', title: 'B' }).expect(201);
    await eventually(() => receiver.ofType('page.created').length === 1, 'the first delivery');

    await redis.stop();
    for (const slug of ['during-outage-1', 'during-outage-2', 'during-outage-3']) {
      await strata.api().post('/api/v1/pages').send({ slug, title: slug }).expect(201);
    }
    // Nothing can be relayed meanwhile: the rows wait, and health says so without failing readiness.
    expect((await unrelayed()).map((row) => row.payload.data.slug)).toEqual(['during-outage-1', 'during-outage-2', 'during-outage-3']);
    const ready = await strata.api().get('/health/ready').expect(200);
    expect(ready.body.status).toBe('degraded');

    await redis.restart();
    await eventually(() => receiver.ofType('page.created').length === 4, 'the three delayed deliveries', 45000);
    expect(
      receiver
        .ofType('page.created')
        .map((webhook) => webhook.json.data.slug)
        .sort(),
    ).toEqual(['before-outage', 'during-outage-1', 'during-outage-2', 'during-outage-3']);
    expect(await unrelayed()).toEqual([]);
  });
});
