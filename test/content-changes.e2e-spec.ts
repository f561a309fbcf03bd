import { ContentChange, ContentChanges } from '@strata/content';
import { createTestEnvironment, TestApp, TestEnvironment } from './support/test-app';

/** The extension point other modules (events, relationships, cache) hang on content writes. */
describe('content change listeners', () => {
  let environment: TestEnvironment;
  let strata: TestApp;
  const written: ContentChange[] = [];
  const committed: ContentChange[][] = [];
  let failWritesOf: string | undefined;

  beforeAll(async () => {
    environment = await createTestEnvironment();
    strata = await environment.start();
    const changes = strata.app.get(ContentChanges);
    changes.onWrite(async (manager, change) => {
      // Inside the transaction: the row is visible through the writing manager.
      const [{ count }] = await manager.query(`SELECT count(*)::int AS count FROM pages WHERE id = $1`, [change.id]);
      if (change.kind === 'page' && change.action !== 'deleted') expect(count).toBe(1);
      if (failWritesOf && (change.item as { slug?: string }).slug === failWritesOf) throw new Error('listener refused the write');
      written.push(change);
    });
    changes.onCommit((batch) => {
      committed.push(batch);
    });
  });
  afterAll(() => environment?.teardown());

  beforeEach(() => {
    written.length = 0;
    committed.length = 0;
    failWritesOf = undefined;
  });

  it('reports a create inside the transaction and after the commit', async () => {
    const page = (await strata.api().post('/api/v1/pages').send({ slug: 'observed', title: 'Observed' }).expect(201)).body;
    expect(written).toEqual([{ kind: 'page', action: 'created', id: page.id, item: page }]);
    expect(committed).toEqual([[written[0]]]);
  });

  it('reports every operation of a batch in one commit', async () => {
    const page = (await strata.api().post('/api/v1/pages').send({ slug: 'batch-observed', title: 'B' }).expect(201)).body;
    committed.length = 0;
    await strata
      .api()
      .post('/api/v1/pages/batch')
      .send({
        operations: [
          { op: 'update', id: page.id, data: { title: 'B2' } },
          { op: 'create', data: { slug: 'batch-new-observed', title: 'N' } },
        ],
      })
      .expect(200);
    expect(committed).toHaveLength(1);
    expect(committed[0].map((change) => `${change.kind}.${change.action}`)).toEqual(['page.updated', 'page.created']);
  });

  it('rolls the write back when a write listener fails, and reports no commit', async () => {
    failWritesOf = 'refused';
    await strata.api().post('/api/v1/pages').send({ slug: 'refused', title: 'Refused' }).expect(500);
    expect(committed).toEqual([]);
    expect((await strata.api().get('/api/v1/pages').query({ slug: 'refused' }).expect(200)).body.data).toHaveLength(0);
  });

  it('reports the blocks a page deletion detaches', async () => {
    const page = (await strata.api().post('/api/v1/pages').send({ slug: 'with-blocks', title: 'W' }).expect(201)).body;
    const block = (await strata.api().post('/api/v1/modules').send({ pageId: page.id, kind: 'text', title: 'Block' }).expect(201)).body;
    committed.length = 0;
    await strata.api().delete(`/api/v1/pages/${page.id}`).expect(204);
    expect(committed).toHaveLength(1);
    expect(committed[0].map((change) => [change.kind, change.action, change.id])).toEqual([
      ['module', 'updated', block.id],
      ['page', 'deleted', page.id],
    ]);
    expect(committed[0][0].item).toMatchObject({ pageId: null, version: 2 });
  });
});
