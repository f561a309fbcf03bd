import { createKey } from './support/api-keys';
import { createTestEnvironment, TestApp, TestEnvironment } from './support/test-app';

/** Webhook endpoints, API keys and relationships have no version column: their ETag is a digest of what is sent. */
describe('ETags of webhook endpoints, API keys and relationships', () => {
  let environment: TestEnvironment;
  let strata: TestApp;

  beforeAll(async () => {
    environment = await createTestEnvironment({ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' });
    strata = await environment.start();
  });
  afterAll(() => environment?.teardown());

  async function expectRevalidation(path: string, change: () => Promise<unknown>): Promise<void> {
    const first = await strata.api().get(path).expect(200);
    const etag = first.headers.etag;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{32}"$/);
    await strata.api().get(path).set('if-none-match', etag).expect(304);
    expect((await strata.api().get(path).expect(200)).headers.etag).toBe(etag);

    await change();
    const changed = await strata.api().get(path).set('if-none-match', etag).expect(200);
    expect(changed.headers.etag).not.toBe(etag);
  }

  it('webhook endpoint: 304 while unchanged, a new ETag after an update', async () => {
    const endpoint = (
      await strata
        .api()
        .post('/api/v1/webhooks')
        .send({ url: 'http://127.0.0.1:9/hook', events: ['*'] })
        .expect(201)
    ).body;
    await expectRevalidation(`/api/v1/webhooks/${endpoint.id}`, () =>
      strata.api().patch(`/api/v1/webhooks/${endpoint.id}`).send({ description: 'changed' }).expect(200),
    );
  });

  it('API key: 304 while unchanged, a new ETag after a revoke', async () => {
    const key = await createKey(strata);
    await expectRevalidation(`/api/v1/api-keys/${key.id}`, () => strata.api().patch(`/api/v1/api-keys/${key.id}/revoke`).expect(200));
  });

  it('relationship: an ETag, and 304 while unchanged (relationships are never updated)', async () => {
    const [a, b] = await Promise.all(
      ['etag-a', 'etag-b'].map(async (slug) => (await strata.api().post('/api/v1/pages').send({ slug, title: slug }).expect(201)).body),
    );
    const link = (
      await strata
        .api()
        .post('/api/v1/relationships')
        .send({ source: { type: 'page', id: a.id }, target: { type: 'page', id: b.id }, type: 'related' })
        .expect(201)
    ).body;
    const first = await strata.api().get(`/api/v1/relationships/${link.id}`).expect(200);
    expect(first.headers.etag).toMatch(/^"[A-Za-z0-9_-]{32}"$/);
    await strata.api().get(`/api/v1/relationships/${link.id}`).set('if-none-match', first.headers.etag).expect(304);
  });
});
