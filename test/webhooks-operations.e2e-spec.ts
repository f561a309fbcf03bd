import { getDataSourceToken } from '@nestjs/typeorm';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import type { AddressInfo } from 'node:net';
import type { DataSource } from 'typeorm';
import { AttemptLogPruner } from '../libs/webhooks/src/retention/attempt-log-pruner';
import { SseClient } from './support/sse-client';
import { createTestEnvironment, TestApp, TestEnvironment } from './support/test-app';
import { eventually, WebhookReceiver } from './support/webhook-receiver';

interface CatalogEntry {
  type: string;
  description: string;
  schema: object;
  example: unknown;
}

/**
 * Issue 16, webhooks half: the event-type catalog, endpoint stats, recover and replay,
 * operational events, and the retention and search of the delivery log — against a real local
 * receiver (private targets allowed) and a real PostgreSQL and Redis.
 */
describe('webhook operations', () => {
  let environment: TestEnvironment;
  let strata: TestApp;
  let dataSource: DataSource;
  const receivers: WebhookReceiver[] = [];

  beforeAll(async () => {
    environment = await createTestEnvironment({
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      WEBHOOK_RETRY_SCHEDULE: '100ms,100ms',
      OUTBOX_POLL_INTERVAL_MS: '100',
      WEBHOOK_ATTEMPT_RETENTION_DAYS: '2',
    });
    strata = await environment.start();
    dataSource = strata.app.get<DataSource>(getDataSourceToken());
  });
  afterAll(() => environment?.teardown());

  afterEach(async () => {
    for (const receiver of receivers.splice(0)) await receiver.stop();
    const { body } = await strata.api().get('/api/v1/webhooks?limit=100').expect(200);
    for (const endpoint of body.data) await strata.api().delete(`/api/v1/webhooks/${endpoint.id}`).expect(204);
  });

  const receiver = async () => {
    const started = await new WebhookReceiver().start();
    receivers.push(started);
    return started;
  };
  const register = async (url: string, events: string[]) => (await strata.api().post('/api/v1/webhooks').send({ url, events }).expect(201)).body;
  const createPage = async (slug: string) => (await strata.api().post('/api/v1/pages').send({ slug, title: slug }).expect(201)).body;
  const deliveriesOf = async (id: string, query = '') => (await strata.api().get(`/api/v1/webhooks/${id}/deliveries${query}`).expect(200)).body.data;
  const catalog = async (): Promise<CatalogEntry[]> => (await strata.api().get('/api/v1/event-types').expect(200)).body.data;
  const validator = async () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    const entries = await catalog();
    return (type: string, data: unknown) => {
      const entry = entries.find((candidate) => candidate.type === type);
      if (!entry) return `${type} is not in the catalog`;
      return ajv.validate(entry.schema, data) ? null : `${type}: ${ajv.errorsText()}`;
    };
  };

  describe('event-type catalog', () => {
    it('lists every event with a description, a JSON Schema and an example that satisfies it', async () => {
      const entries = await catalog();
      expect(entries.map((entry) => entry.type)).toEqual(
        expect.arrayContaining([
          'page.created',
          'media.uploaded',
          'relationship.deleted',
          'webhook.ping',
          'webhook.endpoint.failing',
          'webhook.endpoint.disabled',
        ]),
      );
      const validate = await validator();
      for (const entry of entries) {
        expect(entry.description.length).toBeGreaterThan(10);
        expect(validate(entry.type, entry.example)).toBeNull();
      }
    });

    it('puts the catalog in the OpenAPI document (x-webhooks: one POST per event type with its data schema)', async () => {
      const document = (await strata.api().get('/docs-json').expect(200)).body;
      const entries = await catalog();
      expect(Object.keys(document['x-webhooks']).sort()).toEqual(entries.map((entry) => entry.type).sort());
      const body = document['x-webhooks']['page.created'].post.requestBody.content['application/json'];
      expect(body.schema.properties.data).toEqual(entries.find((entry) => entry.type === 'page.created')?.schema);
      // OpenAPI 3.0 spelling of a nullable field.
      expect(document['x-webhooks']['module.created'].post.requestBody.content['application/json'].schema.properties.data.properties.pageId).toMatchObject({
        type: 'string',
        nullable: true,
      });
      expect(body.example.type).toBe('page.created');
    });

    it('validates subscriptions against the catalog: unknown types are 422, wildcards are kept', async () => {
      const target = await receiver();
      const refused = await strata
        .api()
        .post('/api/v1/webhooks')
        .send({ url: target.url, events: ['page.created', 'page.published'] })
        .expect(422);
      expect(refused.headers['content-type']).toContain('application/problem+json');
      expect(refused.body.errors.events.join(' ')).toContain('page.published');
      await strata
        .api()
        .post('/api/v1/webhooks')
        .send({ url: target.url, events: ['pages.*'] })
        .expect(422);
      const endpoint = await register(target.url, ['page.*', 'webhook.endpoint.disabled', '*']);
      expect(endpoint.events).toEqual(['page.*', 'webhook.endpoint.disabled', '*']);
      await strata
        .api()
        .patch(`/api/v1/webhooks/${endpoint.id}`)
        .send({ events: ['module.moved'] })
        .expect(422);
    });

    it('describes every event a write actually emits: the delivered data matches its schema', async () => {
      const target = await receiver();
      const endpoint = await register(target.url, ['*']);
      const page = await createPage('catalogued');
      await strata.api().patch(`/api/v1/pages/${page.id}`).send({ title: 'Changed' }).expect(200);
      const module = (await strata.api().post('/api/v1/modules').send({ kind: 'hero', title: 'M', pageId: page.id }).expect(201)).body;
      await strata.api().patch(`/api/v1/modules/${module.id}`).send({ position: 3 }).expect(200);
      const media = (
        await strata.api().post('/api/v1/media').attach('file', Buffer.from('hello'), { filename: 'hello.txt', contentType: 'text/plain' }).expect(201)
      ).body;
      await strata.api().patch(`/api/v1/media/${media.id}`).send({ altText: 'Hi' }).expect(200);
      const link = (
        await strata
          .api()
          .post('/api/v1/relationships')
          .send({ source: { type: 'page', id: page.id }, target: { type: 'media', id: media.id }, type: 'related' })
          .expect(201)
      ).body;
      await strata.api().delete(`/api/v1/relationships/${link.id}`).expect(204);
      await strata.api().delete(`/api/v1/modules/${module.id}`).expect(204);
      await strata.api().delete(`/api/v1/media/${media.id}`).expect(204);
      await strata.api().delete(`/api/v1/pages/${page.id}`).expect(204);
      await strata.api().post(`/api/v1/webhooks/${endpoint.id}/test`).expect(202);

      const expected = [
        'page.created',
        'page.updated',
        'page.deleted',
        'module.created',
        'module.updated',
        'module.deleted',
        'media.uploaded',
        'media.updated',
        'media.deleted',
        'relationship.created',
        'relationship.deleted',
        'webhook.ping',
      ];
      await eventually(() => expected.every((type) => target.ofType(type).length > 0), 'one of each event type');
      const validate = await validator();
      const problems = target.received.map((webhook) => validate(webhook.json.type, webhook.json.data)).filter(Boolean);
      expect(problems).toEqual([]);
    });
  });

  describe('stats', () => {
    it('counts attempts, success rate, p50/p99 latency per window and the last failure', async () => {
      const target = await receiver();
      target.respond = (_request, index, response) => (index === 0 ? response.writeHead(503).end('busy') : response.writeHead(200).end('ok'));
      const endpoint = await register(target.url, ['page.created']);
      const empty = (await strata.api().get(`/api/v1/webhooks/${endpoint.id}/stats`).expect(200)).body;
      expect(empty['1h']).toEqual({ attempts: 0, succeeded: 0, failed: 0, successRate: null, p50LatencyMs: null, p99LatencyMs: null });
      expect(empty.lastFailure).toBeNull();

      await createPage('stats-a');
      await createPage('stats-b');
      await eventually(
        async () => (await deliveriesOf(endpoint.id)).filter((delivery: { status: string }) => delivery.status === 'succeeded').length === 2,
        'two deliveries',
      );
      // One more attempt, from two days ago: in the 7-day window only.
      const [old] = await dataSource.query(`SELECT id FROM webhook_attempts WHERE endpoint_id = $1 AND status_code = 200 LIMIT 1`, [endpoint.id]);
      await dataSource.query(`UPDATE webhook_attempts SET attempted_at = now() - interval '2 days', duration_ms = 5000 WHERE id = $1`, [old.id]);

      const stats = (await strata.api().get(`/api/v1/webhooks/${endpoint.id}/stats`).expect(200)).body;
      expect(stats['1h']).toMatchObject({ attempts: 2, succeeded: 1, failed: 1, successRate: 0.5 });
      expect(stats['24h']).toMatchObject({ attempts: 2, succeeded: 1, failed: 1 });
      expect(stats['7d']).toMatchObject({ attempts: 3, succeeded: 2, failed: 1, p99LatencyMs: 5000 });
      expect(stats['1h'].p50LatencyMs).toBeGreaterThanOrEqual(0);
      expect(stats['1h'].p99LatencyMs).toBeLessThan(5000);
      expect(stats.lastFailure).toMatchObject({ statusCode: 503, error: null });
      expect(stats.lastFailure.eventId).toMatch(/^evt_/);
      await strata.api().get('/api/v1/webhooks/0196f0e4-8a5b-7c3d-9e2f-1a2b3c4d5e6f/stats').expect(404);
    });
  });

  describe('recover and replay', () => {
    it('recover sends again what failed since a time, as a job whose progress can be read', async () => {
      const target = await receiver();
      let up = false;
      target.respond = (_request, _index, response) => response.writeHead(up ? 200 : 500).end();
      const since = new Date().toISOString();
      const endpoint = await register(target.url, ['page.created']);
      await createPage('lost');
      await eventually(
        async () => (await strata.api().get(`/api/v1/webhooks/${endpoint.id}`).expect(200)).body.active === false,
        'the endpoint to be disabled',
      );
      await strata.api().post(`/api/v1/webhooks/${endpoint.id}/recover`).send({ since }).expect(409);
      await strata.api().post(`/api/v1/webhooks/${endpoint.id}/enable`).expect(200);
      up = true;

      const nothing = (
        await strata
          .api()
          .post(`/api/v1/webhooks/${endpoint.id}/recover`)
          .send({ since: new Date(Date.now() + 60_000).toISOString() })
          .expect(202)
      ).body;
      expect(nothing).toMatchObject({ kind: 'recover', total: 0, status: 'finished' });
      const job = (await strata.api().post(`/api/v1/webhooks/${endpoint.id}/recover`).send({ since }).expect(202)).body;
      expect(job).toMatchObject({ kind: 'recover', total: 1, endpointId: endpoint.id });
      const done = await eventually(async () => {
        const progress = (await strata.api().get(`/api/v1/webhooks/${endpoint.id}/replays/${job.id}`).expect(200)).body;
        return progress.status === 'finished' && progress;
      }, 'the recovery to finish');
      expect(done).toMatchObject({ pending: 0, succeeded: 1, failed: 0 });
      expect(target.received).toHaveLength(4);
      expect(new Set(target.received.map((webhook) => webhook.json.id)).size).toBe(1);
      await strata.api().post(`/api/v1/webhooks/${endpoint.id}/recover`).send({ since: 'yesterday' }).expect(400);
    });

    it('replay sends events of the given types since a time from the outbox, even ones from before the endpoint existed', async () => {
      const since = new Date().toISOString();
      const page = await createPage('replayed');
      await strata.api().post('/api/v1/modules').send({ kind: 'hero', title: 'not replayed' }).expect(201);
      // Relayed (the outbox row is marked) before the endpoint exists.
      await eventually(
        async () => (await dataSource.query(`SELECT 1 FROM outbox_events WHERE type = 'module.created' AND relayed_at IS NOT NULL`)).length > 0,
        'the relay',
      );
      const target = await receiver();
      const endpoint = await register(target.url, ['page.*', 'module.*']);

      const job = (
        await strata
          .api()
          .post(`/api/v1/webhooks/${endpoint.id}/replay`)
          .send({ since, types: ['page.*'] })
          .expect(202)
      ).body;
      expect(job).toMatchObject({ kind: 'replay', types: ['page.*'], total: 1 });
      await eventually(() => target.ofType('page.created').length === 1, 'the replayed page.created');
      expect(target.received[0].json.data.id).toBe(page.id);
      expect(target.ofType('module.created')).toHaveLength(0);
      const done = await eventually(async () => {
        const progress = (await strata.api().get(`/api/v1/webhooks/${endpoint.id}/replays/${job.id}`).expect(200)).body;
        return progress.status === 'finished' && progress;
      }, 'the replay to finish');
      expect(done).toMatchObject({ succeeded: 1, pending: 0 });

      // A second replay sends it again (a delivered event is not skipped).
      await strata
        .api()
        .post(`/api/v1/webhooks/${endpoint.id}/replay`)
        .send({ since, types: ['page.created'] })
        .expect(202);
      await eventually(() => target.ofType('page.created').length === 2, 'the second replay');

      // Types the endpoint does not subscribe to are not sent; unknown types are refused.
      const unsubscribed = await register(target.url, ['module.*']);
      expect(
        (
          await strata
            .api()
            .post(`/api/v1/webhooks/${unsubscribed.id}/replay`)
            .send({ since, types: ['page.*'] })
            .expect(202)
        ).body.total,
      ).toBe(0);
      await strata
        .api()
        .post(`/api/v1/webhooks/${endpoint.id}/replay`)
        .send({ since, types: ['page.moved'] })
        .expect(422);
    });

    it('replay refuses a since older than the outbox keeps events (422)', async () => {
      const target = await receiver();
      const endpoint = await register(target.url, ['*']);
      const since = new Date(Date.now() - (strata.config.events.outboxRetentionHours + 1) * 3600_000).toISOString();
      const refused = await strata
        .api()
        .post(`/api/v1/webhooks/${endpoint.id}/replay`)
        .send({ since, types: ['*'] })
        .expect(422);
      expect(refused.body.detail).toContain('OUTBOX_RETENTION_HOURS');
      await strata.api().get(`/api/v1/webhooks/${endpoint.id}/replays/0196f0e4-8a5b-7c3d-9e2f-1a2b3c4d5e6f`).expect(404);
    });
  });

  describe('operational events', () => {
    it('reports failing and disabled endpoints to other endpoints and the live stream, never to the endpoint itself', async () => {
      await strata.app.listen(0, '127.0.0.1');
      const port = (strata.app.getHttpServer().address() as AddressInfo).port;
      const auth: Record<string, string> = environment.env.ADMIN_API_KEY ? { authorization: `Bearer ${environment.env.ADMIN_API_KEY}` } : {};
      const stream = await SseClient.connect(`http://127.0.0.1:${port}/api/v1/events?types=webhook.*`, auth);
      try {
        const broken = await receiver();
        broken.respond = (request, _index, response) => response.writeHead(request.json.type.startsWith('page.') ? 500 : 200).end();
        const watcher = await receiver();
        const failing = await register(broken.url, ['*']);
        const watching = await register(watcher.url, ['webhook.endpoint.*']);

        // Two deliveries failing side by side: the third failed attempt (the threshold) comes
        // before either has used its whole schedule, so the endpoint is still active then.
        await createPage('op-a');
        await createPage('op-b');
        const failingEvent = await eventually(() => watcher.ofType('webhook.endpoint.failing')[0], 'webhook.endpoint.failing');
        const disabledEvent = await eventually(() => watcher.ofType('webhook.endpoint.disabled')[0], 'webhook.endpoint.disabled');
        expect(failingEvent.json.data).toMatchObject({ endpointId: failing.id, url: broken.url, failureCount: 3, lastStatusCode: 500 });
        expect(disabledEvent.json.data).toMatchObject({ endpointId: failing.id, url: broken.url });
        expect(disabledEvent.json.data.reason).toMatch(/whole retry schedule/);
        const validate = await validator();
        expect(validate('webhook.endpoint.failing', failingEvent.json.data)).toBeNull();
        expect(validate('webhook.endpoint.disabled', disabledEvent.json.data)).toBeNull();
        expect(watcher.ofType('webhook.endpoint.disabled')).toHaveLength(1);

        await eventually(
          () => stream.messages.filter((message) => message.data?.type?.startsWith('webhook.endpoint.')).length >= 2,
          'the events on the live stream',
        );
        expect(stream.messages.map((message) => message.data.id)).toEqual(expect.arrayContaining([failingEvent.json.id, disabledEvent.json.id]));

        // The endpoint subscribed to `*` got no delivery about itself.
        const own = (await deliveriesOf(failing.id, '?limit=100')).map((delivery: { eventType: string }) => delivery.eventType);
        expect(own.filter((type: string) => type.startsWith('webhook.endpoint.'))).toEqual([]);
        expect(watching.id).toBeDefined();
      } finally {
        stream.close();
      }
    });
  });

  describe('per-endpoint rate limit', () => {
    it('spaces deliveries to an endpoint with rateLimit to that many per second', async () => {
      const target = await receiver();
      const arrivals: number[] = [];
      target.respond = (_request, _index, response) => {
        arrivals.push(Date.now());
        response.writeHead(204).end();
      };
      const endpoint = (
        await strata
          .api()
          .post('/api/v1/webhooks')
          .send({ url: target.url, events: ['page.created'], rateLimit: 1 })
          .expect(201)
      ).body;
      expect(endpoint.rateLimit).toBe(1);
      for (const slug of ['paced-1', 'paced-2', 'paced-3', 'paced-4']) await createPage(slug);
      await eventually(() => arrivals.length === 4, 'four deliveries', 60_000);
      // One per one-second window: the fourth cannot come before the third window after the first.
      expect(arrivals[3] - arrivals[0]).toBeGreaterThanOrEqual(2000);

      await strata
        .api()
        .post('/api/v1/webhooks')
        .send({ url: target.url, events: ['*'], rateLimit: 0 })
        .expect(400);
      const cleared = (await strata.api().patch(`/api/v1/webhooks/${endpoint.id}`).send({ rateLimit: null }).expect(200)).body;
      expect(cleared.rateLimit).toBeNull();
      const kept = (await strata.api().patch(`/api/v1/webhooks/${endpoint.id}`).send({ rateLimit: 5 }).expect(200)).body;
      expect((await strata.api().patch(`/api/v1/webhooks/${endpoint.id}`).send({ description: 'x' }).expect(200)).body.rateLimit).toBe(kept.rateLimit);
    });
  });

  describe('FIFO mode', () => {
    it('delivers in event order, a retry holding back the later events', async () => {
      const target = await receiver();
      target.respond = (_request, index, response) => response.writeHead(index === 0 ? 503 : 204).end();
      const endpoint = (
        await strata
          .api()
          .post('/api/v1/webhooks')
          .send({ url: target.url, events: ['page.created'], fifo: true })
          .expect(201)
      ).body;
      expect(endpoint.fifo).toBe(true);
      const slugs = ['fifo-1', 'fifo-2', 'fifo-3', 'fifo-4'];
      for (const slug of slugs) await createPage(slug);
      await eventually(() => target.received.length === 5, 'five requests');
      // The first one failed once; without FIFO the others arrive before its retry.
      expect(target.received.map((webhook) => webhook.json.data.slug)).toEqual(['fifo-1', 'fifo-1', 'fifo-2', 'fifo-3', 'fifo-4']);
      expect((await strata.api().patch(`/api/v1/webhooks/${endpoint.id}`).send({ fifo: false }).expect(200)).body.fifo).toBe(false);
    });
  });

  describe('delivery log', () => {
    it('searches deliveries by event id, status and time', async () => {
      const target = await receiver();
      target.respond = (request, _index, response) => response.writeHead(request.json.data.slug === 'search-bad' ? 400 : 204).end();
      const endpoint = await register(target.url, ['page.created']);
      const before = new Date().toISOString();
      await createPage('search-good');
      await createPage('search-bad');
      await eventually(
        async () => (await deliveriesOf(endpoint.id, '?status=pending')).length === 0 && (await deliveriesOf(endpoint.id)).length === 2,
        'both deliveries finished',
      );

      const all = await deliveriesOf(endpoint.id);
      const good = all.find((delivery: { payload: { data: { slug: string } } }) => delivery.payload.data.slug === 'search-good');
      expect((await deliveriesOf(endpoint.id, `?eventId=${good.eventId}`)).map((delivery: { id: string }) => delivery.id)).toEqual([good.id]);
      expect((await deliveriesOf(endpoint.id, '?status=succeeded')).map((delivery: { id: string }) => delivery.id)).toEqual([good.id]);
      const failed = await deliveriesOf(endpoint.id, '?status=failed');
      expect(failed.map((delivery: { payload: { data: { slug: string } } }) => delivery.payload.data.slug)).toEqual(['search-bad']);
      expect(await deliveriesOf(endpoint.id, `?from=${encodeURIComponent(before)}`)).toHaveLength(2);
      expect(await deliveriesOf(endpoint.id, `?to=${encodeURIComponent(before)}`)).toHaveLength(0);
      await strata.api().get(`/api/v1/webhooks/${endpoint.id}/deliveries?status=lost`).expect(400);
      await strata.api().get(`/api/v1/webhooks/${endpoint.id}/deliveries?eventId=nope`).expect(400);
    });

    it('prunes attempts and finished deliveries older than WEBHOOK_ATTEMPT_RETENTION_DAYS, keeping pending ones', async () => {
      const target = await receiver();
      const endpoint = await register(target.url, ['page.created']);
      await createPage('retained-old');
      await createPage('retained-new');
      await eventually(async () => (await deliveriesOf(endpoint.id, '?status=succeeded')).length === 2, 'two deliveries');
      const [old] = (await deliveriesOf(endpoint.id)).filter(
        (delivery: { payload: { data: { slug: string } } }) => delivery.payload.data.slug === 'retained-old',
      );
      await dataSource.query(`UPDATE webhook_deliveries SET updated_at = now() - interval '3 days' WHERE id = $1`, [old.id]);
      await dataSource.query(`UPDATE webhook_attempts SET attempted_at = now() - interval '3 days' WHERE delivery_id = $1`, [old.id]);
      // A pending delivery as old is kept: it is still being delivered.
      await dataSource.query(
        `INSERT INTO webhook_deliveries (id, endpoint_id, event_id, event_type, payload, status, enqueued_at, updated_at)
         VALUES ('0196f0e4-8a5b-7c3d-9e2f-1a2b3c4d5e6f', $1, 'evt_0196f0e48a5b7c3d9e2f1a2b3c4d5e6f', 'page.created', '{}', 'pending', now(), now() - interval '3 days')`,
        [endpoint.id],
      );

      const pruned = await strata.app.get(AttemptLogPruner).prune();
      expect(pruned).toEqual({ attempts: 1, deliveries: 1 });
      const left = (await deliveriesOf(endpoint.id)).map(
        (delivery: { eventId: string; status: string; payload: { data?: { slug: string } } }) => delivery.payload.data?.slug ?? delivery.status,
      );
      expect(left.sort()).toEqual(['pending', 'retained-new']);
      expect((await dataSource.query(`SELECT count(*)::int AS n FROM webhook_attempts WHERE endpoint_id = $1`, [endpoint.id]))[0].n).toBe(1);
    });
  });
});
