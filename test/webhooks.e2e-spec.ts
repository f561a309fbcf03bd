import { getDataSourceToken } from '@nestjs/typeorm';
import { Webhook } from 'standardwebhooks';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { bearer, createKey } from './support/api-keys';
import { createTestEnvironment, TestApp, TestEnvironment } from './support/test-app';
import { eventually, WebhookReceiver } from './support/webhook-receiver';

/** Webhook endpoints and delivery against a real local receiver (private targets allowed). */
describe('webhooks', () => {
  let environment: TestEnvironment;
  let strata: TestApp;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    environment = await createTestEnvironment({ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_RETRY_SCHEDULE: '100ms,100ms', OUTBOX_POLL_INTERVAL_MS: '100' });
    strata = await environment.start();
  });
  afterAll(() => environment?.teardown());

  beforeEach(async () => {
    receiver = await new WebhookReceiver().start();
  });
  afterEach(async () => {
    await receiver.stop();
    // Endpoints of one test must not receive the next one's events.
    const { body } = await strata.api().get('/api/v1/webhooks?limit=100').expect(200);
    for (const endpoint of body.data) await strata.api().delete(`/api/v1/webhooks/${endpoint.id}`).expect(204);
  });

  const register = async (events: string[] = ['*']) =>
    (await strata.api().post('/api/v1/webhooks').send({ url: receiver.url, events, description: 'test' }).expect(201)).body;
  const deliveriesOf = async (id: string) => (await strata.api().get(`/api/v1/webhooks/${id}/deliveries`).expect(200)).body.data;

  it('creates an endpoint whose secret is shown once, and never again', async () => {
    const response = await strata
      .api()
      .post('/api/v1/webhooks')
      .send({ url: receiver.url, events: ['page.*'] })
      .expect(201);
    expect(response.headers.location).toBe(`/api/v1/webhooks/${response.body.id}`);
    expect(response.body).toMatchObject({ url: receiver.url, events: ['page.*'], active: true, failureCount: 0, disabledReason: null });
    expect(response.body.secret).toMatch(/^whsec_[A-Za-z0-9+/=]{40,}$/);
    const read = (await strata.api().get(`/api/v1/webhooks/${response.body.id}`).expect(200)).body;
    expect(read.secret).toBeUndefined();
    const listed = (await strata.api().get('/api/v1/webhooks').expect(200)).body.data;
    expect(listed.map((endpoint: { secret?: string }) => endpoint.secret)).toEqual([undefined]);

    // Stored encrypted: neither the secret nor its key material is in the row.
    const [row] = await strata.app.get<DataSource>(getDataSourceToken()).query(`SELECT secret FROM webhook_endpoints WHERE id = $1`, [response.body.id]);
    expect(row.secret).toMatch(/^v1\./);
    expect(row.secret).not.toContain(response.body.secret.slice('whsec_'.length, 30));
  });

  it('refuses bad input with problem details', async () => {
    const unknownEvent = await strata
      .api()
      .post('/api/v1/webhooks')
      .send({ url: receiver.url, events: ['page.published'] })
      .expect(422);
    expect(unknownEvent.headers['content-type']).toContain('application/problem+json');
    expect(unknownEvent.body.errors.events).toBeDefined();
    await strata
      .api()
      .post('/api/v1/webhooks')
      .send({ url: receiver.url, events: ['*'], secret: 'mine' })
      .expect(400);
    await strata
      .api()
      .post('/api/v1/webhooks')
      .send({ url: 'not a url', events: ['*'] })
      .expect(400);
    await strata
      .api()
      .post('/api/v1/webhooks')
      .send({ url: 'ftp://127.0.0.1/x', events: ['*'] })
      .expect(422);
    await strata
      .api()
      .post('/api/v1/webhooks')
      .send({ url: 'http://user:pw@127.0.0.1/x', events: ['*'] })
      .expect(422);
    await strata.api().get('/api/v1/webhooks/0196f0e4-8a5b-7c3d-9e2f-1a2b3c4d5e6f').expect(404);
  });

  it('delivers a content change signed so that the standardwebhooks verifier accepts it', async () => {
    const endpoint = await register(['page.*']);
    const page = (await strata.api().post('/api/v1/pages').send({ slug: 'signed', title: 'Signed' }).expect(201)).body;
    const [webhook] = await eventually(() => receiver.ofType('page.created')[0] && receiver.ofType('page.created'), 'page.created');

    const verified = new Webhook(endpoint.secret).verify(webhook.body, {
      'webhook-id': String(webhook.headers['webhook-id']),
      'webhook-timestamp': String(webhook.headers['webhook-timestamp']),
      'webhook-signature': String(webhook.headers['webhook-signature']),
    }) as { id: string; type: string; data: { id: string } };
    expect(verified.type).toBe('page.created');
    expect(verified.id).toMatch(/^evt_[0-9a-f]{32}$/);
    expect(webhook.headers['webhook-id']).toBe(verified.id);
    expect(verified.data.id).toBe(page.id);
    expect(() => new Webhook('whsec_' + Buffer.alloc(32, 1).toString('base64')).verify(webhook.body, webhook.headers as Record<string, string>)).toThrow();
  });

  it('sends only the events an endpoint subscribed to', async () => {
    await register(['module.created']);
    await strata.api().post('/api/v1/pages').send({ slug: 'filtered', title: 'F' }).expect(201);
    await strata.api().post('/api/v1/modules').send({ kind: 'hero', title: 'M' }).expect(201);
    await eventually(() => receiver.ofType('module.created').length === 1, 'module.created');
    expect(receiver.received.map((webhook) => webhook.json.type)).toEqual(['module.created']);
  });

  it('retries a failing receiver on the schedule and records every attempt', async () => {
    receiver.respond = (_request, index, response) =>
      index < 2 ? response.writeHead(503, { 'content-type': 'text/plain' }).end(`busy ${index}`) : response.writeHead(200).end('ok');
    const endpoint = await register(['page.created']);
    await strata.api().post('/api/v1/pages').send({ slug: 'retried', title: 'R' }).expect(201);

    const [delivery] = await eventually(async () => {
      const deliveries = await deliveriesOf(endpoint.id);
      return deliveries[0]?.status === 'succeeded' && deliveries;
    }, 'a succeeded delivery');
    expect(delivery.attempts.map((attempt: { statusCode: number }) => attempt.statusCode)).toEqual([503, 503, 200]);
    expect(delivery.attempts[0].responseBody).toBe('busy 0');
    expect(delivery.attempts[0].durationMs).toBeGreaterThanOrEqual(0);
    expect(new Set(receiver.received.map((webhook) => webhook.headers['webhook-id'])).size).toBe(1);
    expect((await strata.api().get(`/api/v1/webhooks/${endpoint.id}`).expect(200)).body).toMatchObject({ active: true, failureCount: 0 });
  });

  it('disables an endpoint that failed a whole schedule, and enable turns it back on', async () => {
    receiver.respond = (_request, _index, response) => response.writeHead(500).end('down');
    const endpoint = await register(['page.created']);
    await strata.api().post('/api/v1/pages').send({ slug: 'never-delivered', title: 'N' }).expect(201);

    const disabled = await eventually(async () => {
      const body = (await strata.api().get(`/api/v1/webhooks/${endpoint.id}`).expect(200)).body;
      return body.active === false && body;
    }, 'the endpoint to be disabled');
    expect(disabled.disabledReason).toMatch(/whole retry schedule/);
    expect(disabled.failureCount).toBe(3);
    const [delivery] = await deliveriesOf(endpoint.id);
    expect(delivery).toMatchObject({ status: 'failed' });
    expect(delivery.attempts).toHaveLength(3);

    const enabled = (await strata.api().post(`/api/v1/webhooks/${endpoint.id}/enable`).expect(200)).body;
    expect(enabled).toMatchObject({ active: true, disabledReason: null, failureCount: 0 });

    receiver.respond = (_request, _index, response) => response.writeHead(200).end();
    await strata.api().post(`/api/v1/webhooks/${endpoint.id}/deliveries/${delivery.id}/retry`).expect(202);
    const [retried] = await eventually(async () => {
      const deliveries = await deliveriesOf(endpoint.id);
      return deliveries[0]?.status === 'succeeded' && deliveries;
    }, 'the retried delivery to succeed');
    expect(retried.attempts.map((attempt: { statusCode: number }) => attempt.statusCode)).toEqual([500, 500, 500, 200]);
  });

  it('waits as long as a Retry-After asks before the next attempt', async () => {
    receiver.respond = (_request, index, response) => (index === 0 ? response.writeHead(429, { 'retry-after': '1' }).end() : response.writeHead(200).end());
    const endpoint = await register(['page.created']);
    await strata.api().post('/api/v1/pages').send({ slug: 'retry-after', title: 'R' }).expect(201);
    const [delivery] = await eventually(async () => {
      const deliveries = await deliveriesOf(endpoint.id);
      return deliveries[0]?.status === 'succeeded' && deliveries;
    }, 'the delivery to succeed');
    const [first, second] = delivery.attempts.map((attempt: { attemptedAt: string }) => Date.parse(attempt.attemptedAt));
    // The schedule alone (100 ms) would have retried sooner; the receiver asked for 1 s.
    expect(second - first).toBeGreaterThanOrEqual(1000);
  });

  it('disables an endpoint at once on 410 Gone', async () => {
    receiver.respond = (_request, _index, response) => response.writeHead(410).end();
    const endpoint = await register(['page.created']);
    await strata.api().post('/api/v1/pages').send({ slug: 'gone', title: 'G' }).expect(201);
    const disabled = await eventually(async () => {
      const body = (await strata.api().get(`/api/v1/webhooks/${endpoint.id}`).expect(200)).body;
      return body.active === false && body;
    }, 'the endpoint to be disabled');
    expect(disabled.disabledReason).toMatch(/410/);
    expect(receiver.received).toHaveLength(1);
  });

  it('does not follow redirects: a 3xx is a failed attempt', async () => {
    const elsewhere = await new WebhookReceiver().start();
    try {
      receiver.respond = (_request, _index, response) => response.writeHead(307, { location: elsewhere.url }).end();
      const endpoint = await register(['page.created']);
      await strata.api().post('/api/v1/pages').send({ slug: 'redirected', title: 'R' }).expect(201);
      const [delivery] = await eventually(async () => {
        const deliveries = await deliveriesOf(endpoint.id);
        return deliveries[0]?.status === 'failed' && deliveries;
      }, 'the redirected delivery to fail');
      expect(delivery.attempts.map((attempt: { statusCode: number }) => attempt.statusCode)).toEqual([307, 307, 307]);
      expect(elsewhere.received).toHaveLength(0);
    } finally {
      await elsewhere.stop();
    }
  });

  it('signs with both secrets for a while after a rotation', async () => {
    const endpoint = await register(['webhook.ping']);
    const rotated = (await strata.api().post(`/api/v1/webhooks/${endpoint.id}/rotate-secret`).expect(200)).body;
    expect(rotated.secret).not.toBe(endpoint.secret);
    expect(Date.parse(rotated.previousSecretExpiresAt) - Date.now()).toBeGreaterThan(23 * 3600 * 1000);

    const queued = (await strata.api().post(`/api/v1/webhooks/${endpoint.id}/test`).expect(202)).body;
    const [ping] = await eventually(() => receiver.ofType('webhook.ping')[0] && receiver.ofType('webhook.ping'), 'webhook.ping');
    expect(ping.json.id).toBe(queued.eventId);
    const headers = ping.headers as Record<string, string>;
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(() => new Webhook(endpoint.secret).verify(ping.body, headers)).not.toThrow();
    expect(() => new Webhook(rotated.secret).verify(ping.body, headers)).not.toThrow();
  });

  it('times out a hanging receiver and keeps the deliveries to other endpoints flowing', async () => {
    const hanging = await new WebhookReceiver().start();
    hanging.respond = () => undefined;
    try {
      const slow = (
        await strata
          .api()
          .post('/api/v1/webhooks')
          .send({ url: hanging.url, events: ['page.created'] })
          .expect(201)
      ).body;
      await register(['page.created']);
      for (let index = 0; index < 5; index++)
        await strata
          .api()
          .post('/api/v1/pages')
          .send({ slug: `hang-${index}`, title: 'H' })
          .expect(201);
      await eventually(() => receiver.ofType('page.created').length === 5, 'five deliveries to the healthy endpoint');
      expect((await deliveriesOf(slow.id)).length).toBe(5);
    } finally {
      await hanging.stop();
    }
  });

  // Last in the file: it spends the route's own per-minute budget.
  it("limits test pings per key on the route's own policy, besides the tier", async () => {
    const endpoint = await register(['webhook.ping']);
    const { key } = await createKey(strata, { scopes: ['webhooks:manage'], tier: 'free' });
    const ping = (withKey: string) => request(strata.server).post(`/api/v1/webhooks/${endpoint.id}/test`).set(bearer(withKey));
    for (let i = 1; i <= 10; i++) {
      const response = await ping(key).expect(202);
      expect(response.headers['ratelimit-policy']).toBe('"minute";q=60;w=60, "day";q=1000;w=86400, "webhook-test";q=10;w=60');
      // Each POST costs 2 of the tier's minute; each is 1 of the route's 10.
      expect(response.headers['ratelimit']).toMatch(
        new RegExp(`^"minute";r=${60 - 2 * i};t=\\d+, "day";r=${1000 - 2 * i};t=\\d+, "webhook-test";r=${10 - i};t=\\d+$`),
      );
    }
    const refused = await ping(key).expect(429);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({ type: expect.stringMatching(/quota-exceeded$/), policy: 'webhook-test', limit: 10, windowSeconds: 60 });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // The refused ping was not sent.
    await eventually(() => receiver.ofType('webhook.ping').length >= 10, 'ten pings');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.ofType('webhook.ping')).toHaveLength(10);

    // Per key: the unlimited admin key still has its own 10, and only the route's policy applies to it.
    const admin = await strata.api().post(`/api/v1/webhooks/${endpoint.id}/test`).expect(202);
    expect(admin.headers['ratelimit-policy']).toBe('"webhook-test";q=10;w=60');
  });
});
