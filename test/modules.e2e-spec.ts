import request from 'supertest';
import { createTestEnvironment, TestApp, TestEnvironment } from './support/test-app';

describe('modules', () => {
  let environment: TestEnvironment;
  let strata: TestApp;
  let page: { id: string };

  beforeAll(async () => {
    environment = await createTestEnvironment();
    strata = await environment.start();
    page = await createPage('home');
  });
  afterAll(() => environment?.teardown());

  const api = () => strata.api();
  const missingId = '0196f0e4-8a5b-7c3d-9e2f-1a2b3c4d5e6f';
  const createPage = async (slug: string) => (await api().post('/api/v1/pages').send({ slug, title: slug }).expect(201)).body;
  const createModule = async (fields: Record<string, unknown>) => (await api().post('/api/v1/modules').send(fields).expect(201)).body;
  const titlesOf = (response: request.Response) => response.body.data.map((module: { title: string }) => module.title);

  /** Follows nextCursor to the end; answers every item of every page, in order. */
  async function walk(query: Record<string, unknown>): Promise<Array<{ id: string; position: number }>> {
    const items: Array<{ id: string; position: number }> = [];
    let cursor: string | null = null;
    do {
      const response: request.Response = await api()
        .get('/api/v1/modules')
        .query({ ...query, ...(cursor ? { cursor } : {}) })
        .expect(200);
      expect(response.body.data.length).toBeLessThanOrEqual(Number(query.limit));
      items.push(...response.body.data);
      cursor = response.body.nextCursor;
    } while (cursor);
    return items;
  }

  it('creates, reads, updates and deletes a module with ETags', async () => {
    const created = await api()
      .post('/api/v1/modules')
      .send({ pageId: page.id, kind: 'hero', title: 'Welcome', content: { heading: 'Hi', cta: { href: '/start' } }, position: 1, tags: ['home'] })
      .expect(201);
    expect(created.headers.location).toBe(`/api/v1/modules/${created.body.id}`);
    expect(created.headers.etag).toBe(`"${created.body.id}.1"`);
    expect(created.body).toMatchObject({
      pageId: page.id,
      kind: 'hero',
      content: { heading: 'Hi', cta: { href: '/start' } },
      position: 1,
      tags: ['home'],
      metadata: {},
      version: 1,
    });

    const read = await api().get(`/api/v1/modules/${created.body.id}`).expect(200);
    expect(read.body).toEqual(created.body);
    const notModified = await api().get(`/api/v1/modules/${created.body.id}`).set('If-None-Match', read.headers.etag).expect(304);
    expect(notModified.text).toBe('');

    const updated = await api()
      .patch(`/api/v1/modules/${created.body.id}`)
      .set('If-Match', read.headers.etag)
      .send({ content: { heading: 'Hello' } })
      .expect(200);
    expect(updated.body).toMatchObject({ content: { heading: 'Hello' }, version: 2, title: 'Welcome', pageId: page.id });
    expect(updated.headers.etag).toBe(`"${created.body.id}.2"`);
    const stale = await api().patch(`/api/v1/modules/${created.body.id}`).set('If-Match', read.headers.etag).send({ title: 'stale' }).expect(412);
    expect(stale.body.type).toMatch(/precondition-failed$/);
    await api().delete(`/api/v1/modules/${created.body.id}`).set('If-Match', read.headers.etag).expect(412);
    await api().get(`/api/v1/modules/${created.body.id}`).set('If-None-Match', read.headers.etag).expect(200);

    const detached = await api().patch(`/api/v1/modules/${created.body.id}`).set('If-Match', '*').send({ pageId: null }).expect(200);
    expect(detached.body).toMatchObject({ pageId: null, version: 3 });
    await api().delete(`/api/v1/modules/${created.body.id}`).set('If-Match', detached.headers.etag).expect(204);
    const gone = await api().get(`/api/v1/modules/${created.body.id}`).expect(404);
    expect(gone.headers['content-type']).toMatch(/application\/problem\+json/);
    await api().delete(`/api/v1/modules/${created.body.id}`).expect(404);
  });

  it('refuses a pageId that names no page (422) or is not a UUID (400)', async () => {
    const missing = await api().post('/api/v1/modules').send({ pageId: missingId, kind: 'text', title: 'Orphan' }).expect(422);
    expect(missing.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(missing.body).toMatchObject({ status: 422, detail: `Page ${missingId} does not exist.`, errors: { pageId: expect.any(Array) } });
    expect(missing.body.type).toMatch(/unprocessable-entity$/);
    const malformed = await api().post('/api/v1/modules').send({ pageId: 'page-1', kind: 'text', title: 'x' }).expect(400);
    expect(Object.keys(malformed.body.errors)).toEqual(['pageId']);

    const module = await createModule({ kind: 'text', title: 'Free' });
    expect(module.pageId).toBeNull();
    await api().patch(`/api/v1/modules/${module.id}`).send({ pageId: missingId }).expect(422);
    await api().patch(`/api/v1/modules/${module.id}`).send({ pageId: 'page-1' }).expect(400);
    expect((await api().get(`/api/v1/modules/${module.id}`).expect(200)).body).toMatchObject({ pageId: null, version: 1 });
    const placed = await api().patch(`/api/v1/modules/${module.id}`).send({ pageId: page.id }).expect(200);
    expect(placed.body).toMatchObject({ pageId: page.id, version: 2 });
  });

  it('refuses bad, null and unknown fields with 400', async () => {
    for (const body of [
      { title: 'no kind' },
      { kind: 'Hero!', title: 'x' },
      { kind: 'hero', title: '' },
      { kind: 'hero', title: 'x', position: -1 },
      { kind: 'hero', title: 'x', position: 1.5 },
      { kind: 'hero', title: 'x', content: [1, 2] },
      { kind: 'hero', title: 'x', content: null },
      { kind: 'hero', title: 'x', unknown: true },
      { kind: 'hero', title: 'x', version: 9 },
    ]) {
      const response = await api().post('/api/v1/modules').send(body).expect(400);
      expect(response.body.type).toMatch(/validation-error$/);
    }
    const module = await createModule({ kind: 'hero', title: 'Valid' });
    for (const body of [{ unknown: true }, { title: null }, { kind: null }, { content: null }, { position: null }, { kind: 'Bad Kind' }]) {
      await api().patch(`/api/v1/modules/${module.id}`).send(body).expect(400);
    }
    expect((await api().get(`/api/v1/modules/${module.id}`).expect(200)).body).toMatchObject({ title: 'Valid', version: 1 });
  });

  describe('lists', () => {
    let listed: { id: string };
    const created: Array<{ id: string; position: number }> = [];

    beforeAll(async () => {
      listed = await createPage('listed');
      const other = await createPage('other');
      // Repeated positions: the id tie-break must keep the pages free of gaps and duplicates.
      for (const position of [5, 3, 9, 1, 7, 3, 2, 8, 3, 5, 0]) {
        created.push(await createModule({ pageId: listed.id, kind: 'text', title: `Block ${position}`, position, tags: position % 2 ? ['odd'] : [] }));
      }
      await createModule({ pageId: listed.id, kind: 'image', title: 'Picture', position: 4 });
      await createModule({ pageId: other.id, kind: 'text', title: 'Elsewhere', position: 0 });
      await createModule({ kind: 'text', title: 'Nowhere', position: 0 });
    });

    const byPositionThenId = (a: { id: string; position: number }, b: { id: string; position: number }) => a.position - b.position || (a.id < b.id ? -1 : 1);

    it("walks a page's blocks of one kind by position, across cursor pages, once each", async () => {
      const expected = [...created].sort(byPositionThenId).map((module) => module.id);
      const ascending = await walk({ pageId: listed.id, kind: 'text', sort: 'position', limit: 3 });
      expect(ascending.map((module) => module.id)).toEqual(expected);

      const descending = await walk({ pageId: listed.id, kind: 'text', sort: '-position', limit: 4 });
      expect(descending.map((module) => module.id)).toEqual([...expected].reverse());
    });

    it('combines the page, kind and tag filters', async () => {
      const odd = await walk({ pageId: listed.id, tag: 'odd', sort: 'position', limit: 2 });
      expect(odd.map((module) => module.position)).toEqual([1, 3, 3, 3, 5, 5, 7, 9]);
      const images = await api().get('/api/v1/modules').query({ pageId: listed.id, kind: 'image' }).expect(200);
      expect(titlesOf(images)).toEqual(['Picture']);
      expect(images.body.nextCursor).toBeNull();
      const newestFirst = await api().get('/api/v1/modules').query({ kind: 'text', limit: 2 }).expect(200);
      expect(titlesOf(newestFirst)).toEqual(['Nowhere', 'Elsewhere']);
    });

    it('rejects bad list parameters with 400', async () => {
      for (const query of [{ pageId: 'home' }, { kind: 'no spaces' }, { sort: 'kind' }, { sort: 'relevance' }, { limit: 101 }, { unknown: 1 }]) {
        const response = await api().get('/api/v1/modules').query(query).expect(400);
        expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      }
      const positionCursor = (await api().get('/api/v1/modules').query({ sort: 'position', limit: 1 }).expect(200)).body.nextCursor;
      await api().get('/api/v1/modules').query({ sort: 'title', cursor: positionCursor }).expect(400);
    });
  });

  describe('search', () => {
    beforeAll(async () => {
      await createModule({ kind: 'faq', title: 'Questions', content: { answer: 'Refunds are processed within fourteen days', meta: { hidden: 'shipping' } } });
      await createModule({ kind: 'gallery', title: 'Photography portfolio', content: { caption: 'Landscapes' } });
    });

    it('finds blocks by words anywhere in their content, with stemming', async () => {
      expect(titlesOf(await api().get('/api/v1/modules').query({ q: 'refund' }).expect(200))).toEqual(['Questions']);
      expect(titlesOf(await api().get('/api/v1/modules').query({ q: 'shipping' }).expect(200))).toEqual(['Questions']);
    });

    it('finds blocks by a misspelt title word, and filters the matches', async () => {
      expect(titlesOf(await api().get('/api/v1/modules').query({ q: 'photograpy' }).expect(200))[0]).toBe('Photography portfolio');
      expect(titlesOf(await api().get('/api/v1/modules').query({ q: 'refund', kind: 'gallery' }).expect(200))).toEqual([]);
    });
  });

  it('keeps the blocks of a deleted page, detached', async () => {
    const doomed = await createPage('doomed');
    const block = await createModule({ pageId: doomed.id, kind: 'text', title: 'Survivor' });
    await api().delete(`/api/v1/pages/${doomed.id}`).expect(204);
    const detached = await api().get(`/api/v1/modules/${block.id}`).expect(200);
    expect(detached.body).toMatchObject({ pageId: null, title: 'Survivor', version: 2 });
    expect(detached.headers.etag).toBe(`"${block.id}.2"`);
    expect((await api().get('/api/v1/modules').query({ pageId: doomed.id }).expect(200)).body.data).toEqual([]);
  });

  it('never fails with a 5xx when a page is deleted while its blocks are written', async () => {
    // Deleting a page locks its blocks and then the page; a write that locked the page first
    // used to deadlock with it. Each pair must now end in one of its ordinary outcomes.
    const pairs = await Promise.all(
      Array.from({ length: 15 }, async (_, index) => {
        const racing = await createPage(`racing-${index}`);
        return { racing, block: await createModule({ pageId: racing.id, kind: 'text', title: `Racing ${index}` }) };
      }),
    );
    const responses = await Promise.all(
      pairs.flatMap(({ racing, block }) => [
        api().patch(`/api/v1/modules/${block.id}`).send({ pageId: racing.id, title: 'Raced' }),
        api().delete(`/api/v1/pages/${racing.id}`),
      ]),
    );
    for (const [index, response] of responses.entries()) {
      expect(index % 2 === 0 ? [200, 422] : [204]).toContain(response.status);
    }
    for (const { block } of pairs) {
      expect((await api().get(`/api/v1/modules/${block.id}`).expect(200)).body.pageId).toBeNull();
    }
  });

  describe('batch', () => {
    it('applies creates, updates and deletes and reports each result', async () => {
      const existing = await createModule({ kind: 'text', title: 'Batch existing' });
      const doomed = await createModule({ kind: 'text', title: 'Batch doomed' });
      const response = await api()
        .post('/api/v1/modules/batch')
        .send({
          operations: [
            { op: 'create', data: { pageId: page.id, kind: 'text', title: 'Batch A', position: 2 } },
            { op: 'update', id: existing.id, data: { pageId: page.id }, ifMatch: `"${existing.id}.1"` },
            { op: 'delete', id: doomed.id },
          ],
        })
        .expect(200);
      expect(response.body.data).toEqual([
        expect.objectContaining({ index: 0, op: 'create', status: 201, item: expect.objectContaining({ pageId: page.id, title: 'Batch A', position: 2 }) }),
        expect.objectContaining({ index: 1, op: 'update', status: 200, id: existing.id, item: expect.objectContaining({ pageId: page.id, version: 2 }) }),
        expect.objectContaining({ index: 2, op: 'delete', status: 204, id: doomed.id }),
      ]);
      await api().get(`/api/v1/modules/${doomed.id}`).expect(404);
    });

    it('applies nothing when one operation names a missing page', async () => {
      const kept = await createModule({ kind: 'text', title: 'Batch kept' });
      const spared = await createModule({ kind: 'text', title: 'Batch spared' });
      const failed = await api()
        .post('/api/v1/modules/batch')
        .send({
          operations: [
            { op: 'update', id: kept.id, data: { title: 'Batch kept changed' } },
            { op: 'delete', id: spared.id },
            { op: 'create', data: { kind: 'text', title: 'Batch never' } },
            { op: 'create', data: { pageId: missingId, kind: 'text', title: 'Batch never either' } },
          ],
        })
        .expect(422);
      expect(failed.body).toMatchObject({ status: 422, failedOperation: 3 });
      expect(failed.body.detail).toContain(`Page ${missingId} does not exist.`);
      expect((await api().get(`/api/v1/modules/${kept.id}`).expect(200)).body).toMatchObject({ title: 'Batch kept', version: 1 });
      await api().get(`/api/v1/modules/${spared.id}`).expect(200);
      expect((await api().get('/api/v1/modules').query({ q: 'never' }).expect(200)).body.data).toEqual([]);

      const movedToNowhere = await api()
        .post('/api/v1/modules/batch')
        .send({ operations: [{ op: 'update', id: kept.id, data: { pageId: missingId } }] })
        .expect(422);
      expect(movedToNowhere.body.failedOperation).toBe(0);
      expect((await api().get(`/api/v1/modules/${kept.id}`).expect(200)).body).toMatchObject({ pageId: null, version: 1 });
    });

    it('validates every operation before running any', async () => {
      const response = await api()
        .post('/api/v1/modules/batch')
        .send({
          operations: [
            { op: 'create', data: { kind: 'text', title: 'Batch valid' } },
            { op: 'create', data: { kind: 'Text', title: 'x', extra: true } },
          ],
        })
        .expect(400);
      expect(Object.keys(response.body.errors)).toEqual(expect.arrayContaining(['operations[1].data.kind', 'operations[1].data.extra']));
      expect((await api().get('/api/v1/modules').query({ q: 'Batch valid' }).expect(200)).body.data).toEqual([]);
      await api()
        .post('/api/v1/modules/batch')
        .send({ operations: [{ op: 'create', data: { kind: 'text', title: 'x', pageId: 'home' } }] })
        .expect(400);
    });
  });
});
