import { createTestEnvironment, TestApp, TestEnvironment } from './support/test-app';
import { eventually, WebhookReceiver } from './support/webhook-receiver';

/**
 * Subscription filters (issue 16 item 1): an endpoint subscribed to `page.*` with
 * `filters: { tags: ["blog"] }` gets the events of pages tagged blog only, through delivery and
 * replay; bad filters are refused with 400 and change nothing; PATCH replaces them.
 */
describe('webhook subscription filters', () => {
  let environment: TestEnvironment;
  let strata: TestApp;
  const receivers: WebhookReceiver[] = [];

  beforeAll(async () => {
    environment = await createTestEnvironment({ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', OUTBOX_POLL_INTERVAL_MS: '100' });
    strata = await environment.start();
  });
  afterAll(async () => {
    await environment?.teardown();
    for (const receiver of receivers) await receiver.stop();
  });

  const receiver = async () => {
    const started = await new WebhookReceiver().start();
    receivers.push(started);
    return started;
  };
  const createPage = async (slug: string, tags: string[]) => {
    const answer = await strata.api().post('/api/v1/pages').send({ slug, title: slug, tags }).expect(201);
    return { ...answer.body, etag: answer.headers.etag };
  };
  /** Page slugs per event type that reached a receiver, e.g. `page.created:blog-1`. */
  const seen = (target: WebhookReceiver) => target.received.map((webhook) => `${webhook.json.type}:${webhook.json.data.slug}`).sort();

  it('delivers only the events of items carrying one of the tags', async () => {
    const [filtered, everything] = [await receiver(), await receiver()];
    const endpoint = (
      await strata
        .api()
        .post('/api/v1/webhooks')
        .send({ url: filtered.url, events: ['page.*'], filters: { tags: ['blog'] } })
        .expect(201)
    ).body;
    expect(endpoint.filters).toEqual({ tags: ['blog'] });
    expect((await strata.api().get(`/api/v1/webhooks/${endpoint.id}`).expect(200)).body.filters).toEqual({ tags: ['blog'] });
    await strata
      .api()
      .post('/api/v1/webhooks')
      .send({ url: everything.url, events: ['page.*'] })
      .expect(201);

    await createPage('blog-1', ['blog', 'featured']);
    const news = await createPage('news-1', ['news']);
    await createPage('plain-1', []);
    // The news page becomes a blog page: its update is about a blog page.
    await strata
      .api()
      .patch(`/api/v1/pages/${news.id}`)
      .set('if-match', news.etag)
      .send({ tags: ['news', 'blog'] })
      .expect(200);

    // Once the unfiltered endpoint has every event, the filtered one has had its chance at each.
    await eventually(() => everything.received.length >= 4, 'the unfiltered endpoint to get all 4 events');
    await eventually(() => filtered.received.length >= 2, 'the filtered endpoint to get its 2 events');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(seen(filtered)).toEqual(['page.created:blog-1', 'page.updated:news-1']);
    expect(seen(everything)).toEqual(['page.created:blog-1', 'page.created:news-1', 'page.created:plain-1', 'page.updated:news-1']);

    // A replay of the same events keeps to the filter too.
    const since = new Date(Date.now() - 60_000).toISOString();
    const replay = (
      await strata
        .api()
        .post(`/api/v1/webhooks/${endpoint.id}/replay`)
        .send({ since, types: ['page.*'] })
        .expect(202)
    ).body;
    expect(replay.total).toBe(2);

    // PATCH replaces the filters; {} removes them.
    const patched = (await strata.api().patch(`/api/v1/webhooks/${endpoint.id}`).send({ filters: {} }).expect(200)).body;
    expect(patched.filters).toEqual({});
    await createPage('plain-2', []);
    await eventually(() => seen(filtered).includes('page.created:plain-2'), 'the unfiltered page after the filter was removed');
  });

  it('refuses bad filters with 400 and creates nothing', async () => {
    const target = await receiver();
    const before = (await strata.api().get('/api/v1/webhooks?limit=100').expect(200)).body.data.length;
    for (const filters of [{ tags: [] }, { tags: ['#bad'] }, { tags: 'blog' }, { collections: ['pages'] }, 'blog', { tags: ['a', 'a'] }]) {
      const answer = await strata
        .api()
        .post('/api/v1/webhooks')
        .send({ url: target.url, events: ['page.*'], filters })
        .expect(400);
      expect(answer.headers['content-type']).toContain('application/problem+json');
    }
    expect((await strata.api().get('/api/v1/webhooks?limit=100').expect(200)).body.data).toHaveLength(before);
  });

  it('documents the filters in the OpenAPI document', async () => {
    const document = (await strata.api().get('/docs-json').expect(200)).body;
    const schemas = document.components.schemas;
    expect(JSON.stringify(schemas.CreateWebhookDto.properties.filters)).toContain('WebhookFiltersDto');
    expect(schemas.WebhookFiltersDto.properties.tags).toEqual(expect.objectContaining({ type: 'array', maxItems: 20 }));
    expect(schemas.WebhookDto.required).toContain('filters');
  });
});
