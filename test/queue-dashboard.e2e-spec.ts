import request from 'supertest';
import { createTestEnvironment, TestApp, TestEnvironment } from './support/test-app';

/** bull-board at /admin/queues, for admin keys only, and the queue's depth on /metrics. */
describe('queue dashboard and metrics', () => {
  let environment: TestEnvironment;
  let strata: TestApp;

  beforeAll(async () => {
    environment = await createTestEnvironment();
    strata = await environment.start();
  });
  afterAll(() => environment?.teardown());

  it('serves the dashboard and its queue API to an admin key', async () => {
    const page = await strata.api().get('/admin/queues').expect(200);
    expect(page.headers['content-type']).toContain('text/html');
    const queues = await strata.api().get('/admin/queues/api/queues').expect(200);
    expect(JSON.stringify(queues.body)).toContain('webhook-deliveries');
  });

  it('refuses requests without a key, and keys without the admin scope', async () => {
    const anonymous = await request(strata.server).get('/admin/queues/api/queues').expect(401);
    expect(anonymous.headers['content-type']).toContain('application/problem+json');
    const issued = await strata
      .api()
      .post('/api/v1/api-keys')
      .send({ name: 'reader', scopes: ['content:read'], tier: 'unlimited' })
      .expect(201);
    await request(strata.server).get('/admin/queues').set('authorization', `Bearer ${issued.body.key}`).expect(403);
  });

  it('reports queue depth and the outbox backlog on /metrics', async () => {
    const metrics = await request(strata.server).get('/metrics').expect(200);
    for (const state of ['waiting', 'active', 'delayed', 'failed'])
      expect(metrics.text).toMatch(new RegExp(`^strata_webhook_queue_jobs\\{state="${state}"\\} \\d+$`, 'm'));
    expect(metrics.text).toMatch(/^strata_outbox_pending_events \d+$/m);
  });
});
