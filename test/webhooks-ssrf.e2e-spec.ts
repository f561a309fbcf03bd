import { DataSource } from 'typeorm';
import { createTestEnvironment, TestApp, TestEnvironment } from './support/test-app';
import { eventually, WebhookReceiver } from './support/webhook-receiver';

/** With WEBHOOK_ALLOW_PRIVATE_TARGETS unset, private targets are refused at registration and at delivery. */
describe('webhook SSRF guard', () => {
  let environment: TestEnvironment;
  let strata: TestApp;

  beforeAll(async () => {
    environment = await createTestEnvironment({ OUTBOX_POLL_INTERVAL_MS: '100', WEBHOOK_RETRY_SCHEDULE: '50ms' });
    strata = await environment.start();
  });
  afterAll(() => environment?.teardown());

  it.each([
    'http://93.184.215.14/hook',
    'https://127.0.0.1/hook',
    'https://localhost/hook',
    'https://10.0.0.5/hook',
    'https://172.16.3.4/hook',
    'https://192.168.1.20/hook',
    'https://169.254.169.254/latest/meta-data/',
    'https://metadata.google.internal/computeMetadata/v1/',
    'https://100.64.0.1/hook',
    'https://0.0.0.0/hook',
    'https://224.0.0.1/hook',
    'https://[::1]/hook',
    'https://[fe80::1]/hook',
    'https://[fd00:ec2::254]/hook',
    'https://[::ffff:127.0.0.1]/hook',
    'https://[::ffff:a9fe:a9fe]/hook',
    'https://2130706433/hook',
    'https://0x7f000001/hook',
    'https://0177.0.0.1/hook',
    'https://127.1/hook',
    'https://user:secret@93.184.215.14/hook',
  ])('refuses %s with 422', async (url) => {
    const response = await strata
      .api()
      .post('/api/v1/webhooks')
      .send({ url, events: ['*'] })
      .expect(422);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.body.errors.url).toBeDefined();
  });

  it('checks again at delivery time and never connects to a private address', async () => {
    const receiver = await new WebhookReceiver().start();
    try {
      const endpoint = (
        await strata
          .api()
          .post('/api/v1/webhooks')
          .send({ url: 'https://93.184.215.14/hook', events: ['page.created'] })
          .expect(201)
      ).body;
      // As if DNS or the stored URL now pointed inside: registration checks alone would let this through.
      const dataSource = strata.app.get(DataSource);
      await dataSource.query(`UPDATE webhook_endpoints SET url = $2 WHERE id = $1`, [endpoint.id, receiver.url]);
      await strata.api().post('/api/v1/pages').send({ slug: 'ssrf', title: 'S' }).expect(201);

      const [delivery] = await eventually(async () => {
        const deliveries = (await strata.api().get(`/api/v1/webhooks/${endpoint.id}/deliveries`).expect(200)).body.data;
        return deliveries[0]?.status === 'failed' && deliveries;
      }, 'the delivery to fail');
      expect(delivery.attempts.map((attempt: { error: string }) => attempt.error)).toEqual([
        expect.stringMatching(/^refused: 127\.0\.0\.1 is a private/),
        expect.stringMatching(/^refused: 127\.0\.0\.1 is a private/),
      ]);
      expect(receiver.received).toHaveLength(0);
    } finally {
      await receiver.stop();
    }
  });
});
