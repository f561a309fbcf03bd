import { CacheService } from '@strata/cache';
import { contentItemTag, contentListTag } from '@strata/content';
import { createTestEnvironment, TestApp, TestEnvironment } from './support/test-app';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let attempt = 0; attempt < 400; attempt++) {
    if (condition()) return;
    await sleep(25);
  }
  throw new Error(`gave up waiting for ${what}`);
}
/** How many values an instance has loaded from the database since it started. */
const loadsOf = (instance: TestApp) => instance.app.get(CacheService).stats.lifetime.loads;

/**
 * A page update drops only the cached lists it can change: those showing the page, and those
 * whose filter, sort or search reads a field it set. Creates and deletes drop every list of the
 * kind. Checked on the writing instance and on another one (through the bus).
 */
describe('cached lists after writes (two instances)', () => {
  let environment: TestEnvironment;
  let first: TestApp;
  let second: TestApp;
  let ids: string[];

  beforeAll(async () => {
    environment = await createTestEnvironment();
    first = await environment.start();
    second = await environment.start();
    ids = [];
    for (let n = 0; n < 6; n++) {
      const response = await first
        .api()
        .post('/api/v1/pages')
        .send({ slug: `list-${n}`, title: `Page ${n}`, body: 'body', status: 'draft', tags: [n % 2 ? 'odd' : 'even'] })
        .expect(201);
      ids.push(response.body.id);
    }
  });
  afterAll(() => environment.teardown());

  /** Reads `path` on both instances; answers the bodies and how many database loads each read caused. */
  async function readBoth(path: string): Promise<Array<{ body: { data: Array<{ id: string; title: string; status: string }> }; loads: number }>> {
    const reads = [];
    for (const instance of [first, second]) {
      const before = loadsOf(instance);
      const response = await instance.api().get(path).expect(200);
      reads.push({ body: response.body, loads: loadsOf(instance) - before });
    }
    return reads;
  }

  /**
   * Plants an entry under `tag` in the second instance's L1 and answers a wait for it to be gone:
   * the bus message of the write made meanwhile has then been applied there (a fixed sleep was
   * too short for the bus on a busy machine).
   */
  function peerApplies(tag: string): () => Promise<void> {
    const peer = second.app.get(CacheService);
    const probe = `test:bus-probe:${Math.random()}`;
    peer.l1.set(probe, { value: 1, freshUntil: Date.now() + 60_000, staleUntil: Date.now() + 60_000, tags: [tag] }, 1);
    return () => until(() => peer.l1.get(probe) === undefined, 'the second instance to apply the write');
  }

  async function patch(id: string, changes: object): Promise<void> {
    const applied = peerApplies(contentItemTag('page', id));
    await first.api().patch(`/api/v1/pages/${id}`).send(changes).expect(200);
    await applied();
  }

  it('keeps a list that neither shows the page nor reads the field an update set', async () => {
    // The two newest pages, newest first: ids[5] and ids[4].
    const newest = '/api/v1/pages?limit=2';
    await readBoth(newest);
    expect((await readBoth(newest)).map((read) => read.loads)).toEqual([0, 0]);

    await patch(ids[0], { title: 'Page 0 renamed' });
    const after = await readBoth(newest);
    expect(after.map((read) => read.loads)).toEqual([0, 0]);
    expect(after[1].body.data.map((page) => page.id)).toEqual([ids[5], ids[4]]);
  });

  it('drops a list that shows the page an update changed, on both instances', async () => {
    const newest = '/api/v1/pages?limit=2';
    await readBoth(newest);
    await patch(ids[5], { title: 'Page 5 renamed' });
    for (const read of await readBoth(newest)) expect(read.body.data[0].title).toBe('Page 5 renamed');
  });

  it('drops the lists whose sort, filter or search reads a field the update set', async () => {
    const byTitle = '/api/v1/pages?limit=3&sort=title';
    const published = '/api/v1/pages?limit=10&status=published';
    const search = '/api/v1/pages?limit=10&q=zebra';
    for (const path of [byTitle, published, search]) await readBoth(path);

    // ids[3] is in none of them; the update moves it into each.
    await patch(ids[3], { title: 'Aardvark zebra', status: 'published' });
    for (const read of await readBoth(byTitle)) expect(read.body.data[0].id).toBe(ids[3]);
    for (const read of await readBoth(published)) expect(read.body.data.map((page) => page.id)).toEqual([ids[3]]);
    for (const read of await readBoth(search)) expect(read.body.data.map((page) => page.id)).toEqual([ids[3]]);
  });

  it('drops every list of the kind on a create and on a delete', async () => {
    const evenTag = '/api/v1/pages?limit=10&tag=even';
    const before = (await readBoth(evenTag))[1].body.data.length;
    let applied = peerApplies(contentListTag('page'));
    const created = await first
      .api()
      .post('/api/v1/pages')
      .send({ slug: 'list-new', title: 'New', body: 'body', tags: ['even'] })
      .expect(201);
    await applied();
    for (const read of await readBoth(evenTag)) expect(read.body.data.length).toBe(before + 1);

    applied = peerApplies(contentListTag('page'));
    await first.api().delete(`/api/v1/pages/${created.body.id}`).expect(204);
    await applied();
    for (const read of await readBoth(evenTag)) expect(read.body.data.length).toBe(before);
  });

  it('stores no list load that was in flight during an update, here or on another instance', async () => {
    // Such a load may have read the database before the commit, and has not yet tagged the
    // items it found: only the kind's list tag it carries from the start can stop it.
    for (const instance of [first, second]) {
      const cache = instance.app.get(CacheService);
      const key = `test:list-in-flight:${instance === first ? 'writer' : 'peer'}`;
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const loading = cache.getOrLoad(
        key,
        async () => {
          await gate;
          return { data: [] };
        },
        { tags: [contentListTag('page')] },
      );
      await patch(ids[1], { title: `Page 1 while loading on ${key}` });
      release();
      await loading;
      expect(cache.l1.get(key)).toBeUndefined();
      expect(await cache.get(key)).toBeUndefined();
    }
  });
});
