import { createTestEnvironment, TestApp, TestEnvironment } from './support/test-app';

type Ref = { type: 'page' | 'module' | 'media'; id: string };

/** Links between content items: the resource, its integrity rules, the type registry and the item views. */
describe('relationships', () => {
  let environment: TestEnvironment;
  let strata: TestApp;

  beforeAll(async () => {
    environment = await createTestEnvironment();
    strata = await environment.start();
  });
  afterAll(() => environment?.teardown());

  const api = () => strata.api();
  const missingId = '0196f0e4-8a5b-7c3d-9e2f-1a2b3c4d5e6f';
  let slugs = 0;
  const page = async (title = 'Page'): Promise<Ref> => ({
    type: 'page',
    id: (
      await api()
        .post('/api/v1/pages')
        .send({ slug: `rel-${++slugs}`, title })
        .expect(201)
    ).body.id,
  });
  const module = async (title = 'Block'): Promise<Ref> => ({
    type: 'module',
    id: (await api().post('/api/v1/modules').send({ kind: 'hero', title }).expect(201)).body.id,
  });
  const link = (source: Ref, target: Ref, type = 'related', metadata?: object) => api().post('/api/v1/relationships').send({ source, target, type, metadata });

  it('creates, reads, lists and deletes a relationship', async () => {
    const [a, b] = [await page('A'), await module('B')];
    const created = await link(a, b, 'parent', { position: 2 }).expect(201);
    expect(created.headers.location).toBe(`/api/v1/relationships/${created.body.id}`);
    expect(created.body).toMatchObject({ source: a, target: b, type: 'parent', inverseType: 'child', metadata: { position: 2 } });

    expect((await api().get(`/api/v1/relationships/${created.body.id}`).expect(200)).body).toEqual(created.body);
    const bySource = await api().get('/api/v1/relationships').query({ sourceType: 'page', sourceId: a.id }).expect(200);
    expect(bySource.body).toEqual({ data: [created.body], nextCursor: null });
    const byTarget = await api().get('/api/v1/relationships').query({ targetType: 'module', targetId: b.id, type: 'parent' }).expect(200);
    expect(byTarget.body.data.map((r: { id: string }) => r.id)).toEqual([created.body.id]);
    expect((await api().get('/api/v1/relationships').query({ targetType: 'module', targetId: b.id, type: 'related' }).expect(200)).body.data).toEqual([]);

    await api().delete(`/api/v1/relationships/${created.body.id}`).expect(204);
    const gone = await api().get(`/api/v1/relationships/${created.body.id}`).expect(404);
    expect(gone.headers['content-type']).toContain('application/problem+json');
    await api().delete(`/api/v1/relationships/${created.body.id}`).expect(404);
    expect((await api().get('/api/v1/relationships').query({ sourceType: 'page', sourceId: a.id }).expect(200)).body.data).toEqual([]);
  });

  it('shows an incoming link with the inverse type, and filters each direction', async () => {
    const [guide, chapter, other] = [await page('Guide'), await page('Chapter'), await page('Other')];
    await link(guide, chapter, 'parent').expect(201);
    await link(chapter, other, 'references').expect(201);

    const fromChapter = (await api().get(`/api/v1/pages/${chapter.id}/relationships`).expect(200)).body;
    expect(
      fromChapter.data.map((view: { direction: string; type: string; item: Ref & { title: string } }) => [
        view.direction,
        view.type,
        view.item.id,
        view.item.title,
      ]),
    ).toEqual([
      ['in', 'child', guide.id, 'Guide'],
      ['out', 'references', other.id, 'Other'],
    ]);
    const incoming = (await api().get(`/api/v1/pages/${chapter.id}/relationships?direction=in`).expect(200)).body.data;
    expect(incoming).toHaveLength(1);
    expect((await api().get(`/api/v1/pages/${chapter.id}/relationships?type=child`).expect(200)).body.data.map((v: { item: Ref }) => v.item.id)).toEqual([
      guide.id,
    ]);
    expect((await api().get(`/api/v1/pages/${chapter.id}/relationships?direction=out&type=child`).expect(200)).body.data).toEqual([]);
    const fromOther = (await api().get(`/api/v1/pages/${other.id}/relationships`).expect(200)).body.data;
    expect(fromOther.map((view: { type: string }) => view.type)).toEqual(['referenced-by']);
  });

  it('refuses a duplicate (409), a missing end (422, named), a self-link and an unknown type (422), and writes nothing', async () => {
    const [a, b] = [await page(), await page()];
    await link(a, b, 'related').expect(201);
    const duplicate = await link(a, b, 'related').expect(409);
    expect(duplicate.headers['content-type']).toContain('application/problem+json');
    // The same id in capitals is the same item.
    await link(a, { type: 'page', id: b.id.toUpperCase() }, 'related').expect(409);
    await link(a, b, 'references').expect(201);

    const missingTarget = await link(a, { type: 'media', id: missingId }).expect(422);
    expect(Object.keys(missingTarget.body.errors)).toEqual(['target']);
    const missingBoth = await link({ type: 'module', id: missingId }, { type: 'page', id: '0196f0e4-8a5b-7c3d-9e2f-1a2b3c4d5e70' }).expect(422);
    expect(Object.keys(missingBoth.body.errors).sort()).toEqual(['source', 'target']);
    // The right id under the wrong kind does not exist either.
    await link(a, { type: 'module', id: b.id }).expect(422);

    const self = await link(a, { ...a }).expect(422);
    expect(self.body.errors.target).toBeDefined();
    const unknown = await link(a, b, 'sibling').expect(422);
    expect(unknown.body.errors.type[0]).toContain('parent');

    await api().post('/api/v1/relationships').send({ source: a, target: b, type: 'gallery', extra: 1 }).expect(400);
    await api()
      .post('/api/v1/relationships')
      .send({ source: { ...a, extra: 1 }, target: b, type: 'gallery' })
      .expect(400);
    await api()
      .post('/api/v1/relationships')
      .send({ source: { type: 'post', id: a.id }, target: b, type: 'gallery' })
      .expect(400);
    await api().post('/api/v1/relationships').send({ target: b, type: 'gallery' }).expect(400);
    const all = (await api().get('/api/v1/relationships').query({ sourceType: 'page', sourceId: a.id }).expect(200)).body.data;
    expect(all.map((r: { type: string }) => r.type).sort()).toEqual(['references', 'related']);
  });

  it('answers 404 for the links or graph of an item that does not exist, and 400 for bad parameters', async () => {
    await api().get(`/api/v1/pages/${missingId}/relationships`).expect(404);
    await api().get(`/api/v1/media/${missingId}/graph`).expect(404);
    const a = await page();
    // A page id is not a module id.
    await api().get(`/api/v1/modules/${a.id}/relationships`).expect(404);
    await api().get(`/api/v1/pages/${a.id}/relationships?direction=sideways`).expect(400);
    await api().get(`/api/v1/pages/${a.id}/relationships?type=sibling`).expect(422);
    await api().get(`/api/v1/pages/not-a-uuid/relationships`).expect(400);
    await api().get('/api/v1/relationships').query({ sourceId: a.id }).expect(400);
    await api().get('/api/v1/relationships').query({ cursor: 'bogus!' }).expect(400);
    // The item routes of the collections are untouched.
    await api().get(`/api/v1/pages/${a.id}`).expect(200);
  });

  it('paginates item links and lists with a cursor', async () => {
    const hub = await page('Hub');
    const spokes: Ref[] = [];
    for (let index = 0; index < 5; index++) spokes.push(await module(`Spoke ${index}`));
    for (const [index, spoke] of spokes.entries()) await (index % 2 ? link(spoke, hub, 'references') : link(hub, spoke, 'references')).expect(201);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const response: { body: { data: Array<{ item: Ref }>; nextCursor: string | null } } = await api()
        .get(`/api/v1/pages/${hub.id}/relationships`)
        .query({ limit: 2, ...(cursor ? { cursor } : {}) })
        .expect(200);
      expect(response.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...response.body.data.map((view) => view.item.id));
      cursor = response.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(spokes.map((spoke) => spoke.id));

    const fromHub = { sourceType: 'page', sourceId: hub.id, limit: 2 };
    const first = (await api().get('/api/v1/relationships').query(fromHub).expect(200)).body;
    const second = (
      await api()
        .get('/api/v1/relationships')
        .query({ ...fromHub, cursor: first.nextCursor })
        .expect(200)
    ).body;
    expect(first.data).toHaveLength(2);
    expect(second).toMatchObject({ nextCursor: null });
    expect([...first.data, ...second.data].map((r: { target: Ref }) => r.target.id)).toEqual([spokes[0].id, spokes[2].id, spokes[4].id]);
    await api().get('/api/v1/relationships?limit=101').expect(400);
  });

  it('registers a custom type with its inverse (admin only) and uses it at once', async () => {
    const before = (await api().get('/api/v1/relationships/types').expect(200)).body.data;
    expect(before).toEqual(
      expect.arrayContaining([
        { name: 'parent', inverse: 'child' },
        { name: 'related', inverse: 'related' },
        { name: 'gallery', inverse: 'in-gallery' },
      ]),
    );

    const reader = (
      await api()
        .post('/api/v1/api-keys')
        .send({ name: 'writer', scopes: ['content:read', 'relationships:write'], tier: 'unlimited' })
        .expect(201)
    ).body.key;
    await strata
      .api({ authorization: `Bearer ${reader}` })
      .post('/api/v1/relationships/types')
      .send({ name: 'translates', inverse: 'translated-by' })
      .expect(403);
    await api().post('/api/v1/relationships/types').send({ name: 'Translates', inverse: 'x' }).expect(400);

    await api().post('/api/v1/relationships/types').send({ name: 'translates', inverse: 'translated-by' }).expect(201);
    await api().post('/api/v1/relationships/types').send({ name: 'translated-by', inverse: 'other' }).expect(409);
    await api().post('/api/v1/relationships/types').send({ name: 'sibling', inverse: 'sibling' }).expect(201);

    const [english, french] = [await page('English'), await page('French')];
    const created = await strata
      .api({ authorization: `Bearer ${reader}` })
      .post('/api/v1/relationships')
      .send({ source: french, target: english, type: 'translates' })
      .expect(201);
    expect(created.body.inverseType).toBe('translated-by');
    const fromEnglish = (await api().get(`/api/v1/pages/${english.id}/relationships`).expect(200)).body.data;
    expect(fromEnglish.map((view: { type: string }) => view.type)).toEqual(['translated-by']);
    await link(english, french, 'sibling').expect(201);
    expect((await api().get(`/api/v1/pages/${french.id}/relationships?type=sibling`).expect(200)).body.data).toHaveLength(1);
  });

  it('makes a type registered on one instance usable on another at once', async () => {
    const second = await environment.start();
    // The second instance has the registry cached before the registration.
    await second.api().get('/api/v1/relationships/types').expect(200);
    await api().post('/api/v1/relationships/types').send({ name: 'supersedes', inverse: 'superseded-by' }).expect(201);
    const [newer, older] = [await page('v2'), await page('v1')];
    const created = await second.api().post('/api/v1/relationships').send({ source: newer, target: older, type: 'supersedes' }).expect(201);
    expect(created.body.inverseType).toBe('superseded-by');
    const names = (await second.api().get('/api/v1/relationships/types').expect(200)).body.data.map((type: { name: string }) => type.name);
    expect(names).toEqual(expect.arrayContaining(['supersedes', 'superseded-by']));
    await second.close();
  });

  it('needs relationships:write to link and content:read to read', async () => {
    const [a, b] = [await page(), await page()];
    const readOnly = (
      await api()
        .post('/api/v1/api-keys')
        .send({ name: 'reader', scopes: ['content:read'], tier: 'unlimited' })
        .expect(201)
    ).body.key;
    const as = strata.api({ authorization: `Bearer ${readOnly}` });
    await as.post('/api/v1/relationships').send({ source: a, target: b, type: 'related' }).expect(403);
    await as.get(`/api/v1/pages/${a.id}/graph`).expect(200);
    await as.get('/api/v1/relationships').expect(200);
  });
});
