import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { createTestEnvironment, TestApp, TestEnvironment } from './support/test-app';
import { eventually, WebhookReceiver } from './support/webhook-receiver';

type Ref = { type: 'page' | 'module' | 'media'; id: string };

/**
 * What keeps links true to the content: deleting an item deletes its links in the same
 * transaction (single, batch and page deletes), cached reads follow changes at either end, and
 * every link created or deleted reaches webhooks as an event.
 */
describe('relationship consistency', () => {
  let environment: TestEnvironment;
  let strata: TestApp;
  let receiver: WebhookReceiver;
  let dataSource: DataSource;

  beforeAll(async () => {
    environment = await createTestEnvironment({ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', OUTBOX_POLL_INTERVAL_MS: '100' });
    strata = await environment.start();
    dataSource = strata.app.get<DataSource>(getDataSourceToken());
    receiver = await new WebhookReceiver().start();
    await strata
      .api()
      .post('/api/v1/webhooks')
      .send({ url: receiver.url, events: ['relationship.*'] })
      .expect(201);
  });
  afterAll(async () => {
    await receiver?.stop();
    await environment?.teardown();
  });

  const api = () => strata.api();
  let slugs = 0;
  const page = async (title = 'Page'): Promise<Ref> => ({
    type: 'page',
    id: (
      await api()
        .post('/api/v1/pages')
        .send({ slug: `cons-${++slugs}`, title })
        .expect(201)
    ).body.id,
  });
  const module = async (title = 'Block'): Promise<Ref> => ({
    type: 'module',
    id: (await api().post('/api/v1/modules').send({ kind: 'text', title }).expect(201)).body.id,
  });
  const link = async (source: Ref, target: Ref, type = 'related'): Promise<{ id: string }> =>
    (await api().post('/api/v1/relationships').send({ source, target, type }).expect(201)).body;
  const linksOf = async (ref: Ref) =>
    (
      await api()
        .get(`/api/v1/${ref.type === 'page' ? 'pages' : ref.type === 'module' ? 'modules' : 'media'}/${ref.id}/relationships`)
        .expect(200)
    ).body.data;
  const rowsTouching = async (ref: Ref): Promise<number> =>
    Number(
      (
        await dataSource.query(`SELECT count(*) AS n FROM relationships WHERE (source_type = $1 AND source_id = $2) OR (target_type = $1 AND target_id = $2)`, [
          ref.type,
          ref.id,
        ])
      )[0].n,
    );

  it('delivers relationship.created and relationship.deleted to a webhook subscribed to relationship.*', async () => {
    const [a, b] = [await page(), await page()];
    const created = await link(a, b, 'references');
    await api().delete(`/api/v1/relationships/${created.id}`).expect(204);
    const eventsOf = (type: string) => receiver.received.filter((w) => w.json.type === type && w.json.data.id === created.id);
    const [deleted] = await eventually(
      () => (eventsOf('relationship.deleted').length > 0 ? eventsOf('relationship.deleted') : undefined),
      'relationship.deleted',
    );
    expect(eventsOf('relationship.created')[0]?.json.data).toMatchObject({ source: a, target: b, type: 'references', inverseType: 'referenced-by' });
    expect(deleted.json.data).toMatchObject({ id: created.id, source: a, target: b });
    // The receiver subscribed to relationship.* only: no page events.
    expect(receiver.received.every((w) => w.json.type.startsWith('relationship.'))).toBe(true);
  });

  it('deletes the links of a deleted item in its transaction, with an event for each', async () => {
    const [hub, left, right] = [await page('Hub'), await page('Left'), await module('Right')];
    const out = await link(hub, left, 'parent');
    const incoming = await link(right, hub, 'references');
    const unrelated = await link(left, right, 'related');

    await api().delete(`/api/v1/pages/${hub.id}`).expect(204);
    expect(await rowsTouching(hub)).toBe(0);
    await api().get(`/api/v1/relationships/${out.id}`).expect(404);
    await api().get(`/api/v1/relationships/${incoming.id}`).expect(404);
    await api().get(`/api/v1/relationships/${unrelated.id}`).expect(200);
    expect((await linksOf(left)).map((view: { id: string }) => view.id)).toEqual([unrelated.id]);
    await eventually(
      () => [out.id, incoming.id].every((id) => receiver.received.some((w) => w.json.type === 'relationship.deleted' && w.json.data.id === id)),
      'cascade events',
    );
  });

  it('cascades through batch deletes, and rolls the cascade back with a failed batch', async () => {
    const [keep, gone] = [await module('Keep'), await module('Gone')];
    const anchor = await page('Anchor');
    await link(anchor, keep, 'parent');
    await link(anchor, gone, 'parent');

    // The second operation fails (no such module): nothing of the batch, cascade included, is applied.
    await api()
      .post('/api/v1/modules/batch')
      .send({
        operations: [
          { op: 'delete', id: gone.id },
          { op: 'delete', id: '0196f0e4-8a5b-7c3d-9e2f-1a2b3c4d5e6f' },
        ],
      })
      .expect(404);
    expect(await rowsTouching(gone)).toBe(1);

    await api()
      .post('/api/v1/modules/batch')
      .send({ operations: [{ op: 'delete', id: gone.id }] })
      .expect(200);
    expect(await rowsTouching(gone)).toBe(0);
    expect((await linksOf(anchor)).map((view: { item: Ref }) => view.item.id)).toEqual([keep.id]);
  });

  it('cascades when a page with attached blocks is deleted, and keeps the blocks linked to others', async () => {
    const host = await page('Host');
    const block = (await api().post('/api/v1/modules').send({ kind: 'hero', title: 'Attached', pageId: host.id }).expect(201)).body;
    const other = await page('Other');
    await link(host, { type: 'module', id: block.id }, 'parent');
    await link(other, { type: 'module', id: block.id }, 'references');
    await api().delete(`/api/v1/pages/${host.id}`).expect(204);
    expect((await linksOf({ type: 'module', id: block.id })).map((view: { type: string; item: Ref }) => [view.type, view.item.id])).toEqual([
      ['referenced-by', other.id],
    ]);
  });

  it('serves fresh links and graphs after the other end is updated or deleted', async () => {
    const [a, b, c] = [await page('A'), await page('B before'), await page('C')];
    await link(a, b, 'related');
    await link(b, c, 'related');
    expect((await linksOf(a)).map((view: { item: { title: string } }) => view.item.title)).toEqual(['B before']);
    const graphPath = `/api/v1/pages/${a.id}/graph?depth=2`;
    expect((await api().get(graphPath).expect(200)).body.nodes).toHaveLength(3);
    // Read twice: the second answer comes from the cache.
    const hitsBefore = (await api().get('/api/v1/cache/stats').expect(200)).body.l1Hits;
    await api().get(graphPath).expect(200);
    expect((await api().get('/api/v1/cache/stats').expect(200)).body.l1Hits).toBeGreaterThan(hitsBefore);

    await api().patch(`/api/v1/pages/${b.id}`).send({ title: 'B after' }).expect(200);
    expect((await linksOf(a)).map((view: { item: { title: string } }) => view.item.title)).toEqual(['B after']);
    expect((await api().get(graphPath).expect(200)).body.nodes.map((node: { title: string }) => node.title).sort()).toEqual(['A', 'B after', 'C']);

    // A change two links away (C updated) reaches A's graph too.
    await api().patch(`/api/v1/pages/${c.id}`).send({ title: 'C after' }).expect(200);
    expect((await api().get(graphPath).expect(200)).body.nodes.map((node: { title: string }) => node.title).sort()).toEqual(['A', 'B after', 'C after']);

    // A new link at a node of the graph shows at once.
    const d = await page('D');
    await link(c, d, 'related');
    expect((await api().get(`/api/v1/pages/${a.id}/graph?depth=3`).expect(200)).body.nodes).toHaveLength(4);
    expect((await api().get(graphPath).expect(200)).body.nodes).toHaveLength(3);

    await api().delete(`/api/v1/pages/${b.id}`).expect(204);
    expect(await linksOf(a)).toEqual([]);
    expect((await api().get(graphPath).expect(200)).body.nodes.map((node: { title: string }) => node.title)).toEqual(['A']);
    const list = (await api().get('/api/v1/relationships').query({ sourceType: 'page', sourceId: a.id }).expect(200)).body.data;
    expect(list).toEqual([]);
  });

  it('never leaves a link to an item deleted while the link was being created', async () => {
    for (let round = 0; round < 5; round++) {
      const [a, b] = [await page(), await page()];
      const [linked, deleted] = await Promise.all([
        api().post('/api/v1/relationships').send({ source: a, target: b, type: 'related' }),
        api().delete(`/api/v1/pages/${b.id}`),
      ]);
      expect(deleted.status).toBe(204);
      expect([201, 422]).toContain(linked.status);
      expect(await rowsTouching(b)).toBe(0);
    }
  });
});
