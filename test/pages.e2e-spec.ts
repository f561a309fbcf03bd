import request from 'supertest';
import { createTestEnvironment, TestApp, TestEnvironment } from './support/test-app';

describe('pages', () => {
  let environment: TestEnvironment;
  let strata: TestApp;

  beforeAll(async () => {
    environment = await createTestEnvironment();
    strata = await environment.start();
  });
  afterAll(() => environment?.teardown());

  const api = () => strata.api();
  const createPage = async (fields: Record<string, unknown>) => (await api().post('/api/v1/pages').send(fields).expect(201)).body;

  it('creates, reads, updates and deletes a page', async () => {
    const created = await api()
      .post('/api/v1/pages')
      .send({ slug: 'hello-world', title: 'Hello world', body: 'First post', tags: ['news'], metadata: { a: 1 } })
      .expect(201);
    expect(created.headers.location).toBe(`/api/v1/pages/${created.body.id}`);
    expect(created.headers.etag).toBe(`"${created.body.id}.1"`);
    expect(created.body).toMatchObject({ slug: 'hello-world', status: 'draft', version: 1, tags: ['news'], metadata: { a: 1 } });
    expect(created.body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

    const read = await api().get(`/api/v1/pages/${created.body.id}`).expect(200);
    expect(read.body).toEqual(created.body);
    expect(read.headers['x-request-id']).toBeTruthy();

    const updated = await api().patch(`/api/v1/pages/${created.body.id}`).send({ title: 'Hello again', status: 'published' }).expect(200);
    expect(updated.body).toMatchObject({ title: 'Hello again', status: 'published', body: 'First post', version: 2 });
    expect(updated.headers.etag).toBe(`"${created.body.id}.2"`);

    // Array and JSON columns written by a PATCH come back as sent, from the write and from the database.
    const retagged = await api()
      .patch(`/api/v1/pages/${created.body.id}`)
      .send({ tags: ['news', 'release-2'], metadata: { nested: { list: [1, 'two', null] }, quote: 'a"b' } })
      .expect(200);
    const expected = { tags: ['news', 'release-2'], metadata: { nested: { list: [1, 'two', null] }, quote: 'a"b' }, title: 'Hello again', version: 3 };
    expect(retagged.body).toMatchObject(expected);
    expect(Date.parse(retagged.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(updated.body.updatedAt));
    expect((await api().get(`/api/v1/pages/${created.body.id}`).expect(200)).body).toEqual(retagged.body);

    await api().delete(`/api/v1/pages/${created.body.id}`).expect(204);
    const gone = await api().get(`/api/v1/pages/${created.body.id}`).expect(404);
    expect(gone.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(gone.body).toMatchObject({ status: 404, title: 'Not Found', instance: `/api/v1/pages/${created.body.id}` });
    expect(gone.body.requestId).toBe(gone.headers['x-request-id']);
  });

  it('answers 304 to a matching If-None-Match and 412 to a stale If-Match', async () => {
    const page = await createPage({ slug: 'etag-page', title: 'ETags' });
    const first = await api().get(`/api/v1/pages/${page.id}`).expect(200);
    const etag = first.headers.etag;

    const notModified = await api().get(`/api/v1/pages/${page.id}`).set('If-None-Match', etag).expect(304);
    expect(notModified.text).toBe('');
    expect(notModified.headers.etag).toBe(etag);

    await api().patch(`/api/v1/pages/${page.id}`).set('If-Match', etag).send({ title: 'ETags v2' }).expect(200);
    const stale = await api().patch(`/api/v1/pages/${page.id}`).set('If-Match', etag).send({ title: 'lost update' }).expect(412);
    expect(stale.body.type).toMatch(/precondition-failed$/);
    await api().delete(`/api/v1/pages/${page.id}`).set('If-Match', etag).expect(412);

    const current = await api().get(`/api/v1/pages/${page.id}`).set('If-None-Match', etag).expect(200);
    expect(current.body).toMatchObject({ title: 'ETags v2', version: 2 });
    await api().patch(`/api/v1/pages/${page.id}`).set('If-Match', '*').send({ title: 'any version' }).expect(200);
  });

  it('gives a compressed body its own strong ETag and still honours it', async () => {
    const page = await createPage({ slug: 'big-page', title: 'Big', body: 'compressible text '.repeat(500) });
    const compressed = await api().get(`/api/v1/pages/${page.id}`).set('Accept-Encoding', 'gzip').expect(200);
    expect(compressed.headers['content-encoding']).toBe('gzip');
    expect(compressed.headers.etag).toBe(`"${page.id}.1-gzip"`);
    const identity = await api().get(`/api/v1/pages/${page.id}`).set('Accept-Encoding', 'identity').expect(200);
    expect(identity.headers.etag).toBe(`"${page.id}.1"`);
    await api().get(`/api/v1/pages/${page.id}`).set('Accept-Encoding', 'gzip').set('If-None-Match', compressed.headers.etag).expect(304);
    await api().patch(`/api/v1/pages/${page.id}`).set('If-Match', compressed.headers.etag).send({ title: 'Bigger' }).expect(200);
  });

  it('refuses null for any field of a PATCH', async () => {
    const page = await createPage({ slug: 'nulls', title: 'Nulls' });
    for (const field of ['slug', 'title', 'body', 'status', 'tags', 'metadata']) {
      const response = await api()
        .patch(`/api/v1/pages/${page.id}`)
        .send({ [field]: null })
        .expect(400);
      expect(Object.keys(response.body.errors)).toEqual([field]);
    }
    expect((await api().get(`/api/v1/pages/${page.id}`).expect(200)).body.version).toBe(1);
  });

  it('refuses a duplicate slug with 409 and changes nothing', async () => {
    await createPage({ slug: 'taken', title: 'First' });
    const other = await createPage({ slug: 'other', title: 'Second' });
    const conflict = await api().post('/api/v1/pages').send({ slug: 'taken', title: 'Again' }).expect(409);
    expect(conflict.body.detail).toContain('taken');
    await api().patch(`/api/v1/pages/${other.id}`).send({ slug: 'taken' }).expect(409);
    expect((await api().get(`/api/v1/pages/${other.id}`).expect(200)).body).toMatchObject({ slug: 'other', version: 1 });
  });

  describe('lists', () => {
    beforeAll(async () => {
      for (let index = 0; index < 25; index++) {
        await createPage({
          slug: `list-${index}`,
          title: `List item ${String(index).padStart(2, '0')}`,
          status: index % 3 === 0 ? 'published' : 'draft',
          tags: index % 2 === 0 ? ['even'] : ['odd'],
        });
      }
    });

    it('walks every page of a filtered list once, in order', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const response: request.Response = await api()
          .get('/api/v1/pages')
          .query({ tag: 'even', sort: 'title', limit: 4, ...(cursor ? { cursor } : {}) })
          .expect(200);
        seen.push(...response.body.data.map((page: { title: string }) => page.title));
        cursor = response.body.nextCursor;
      } while (cursor);
      const expected = Array.from({ length: 25 }, (_, index) => index)
        .filter((index) => index % 2 === 0)
        .map((index) => `List item ${String(index).padStart(2, '0')}`);
      expect(seen).toEqual(expected);
    });

    it('pages by newest first by default and filters by status', async () => {
      const first = await api().get('/api/v1/pages').query({ limit: 5, status: 'published' }).expect(200);
      expect(first.body.data).toHaveLength(5);
      expect(first.body.data.every((page: { status: string }) => page.status === 'published')).toBe(true);
      const times = first.body.data.map((page: { createdAt: string }) => page.createdAt);
      expect([...times].sort().reverse()).toEqual(times);
      const second = await api().get('/api/v1/pages').query({ limit: 5, status: 'published', cursor: first.body.nextCursor }).expect(200);
      const ids = new Set([...first.body.data, ...second.body.data].map((page: { id: string }) => page.id));
      expect(ids.size).toBe(first.body.data.length + second.body.data.length);
    });

    it('rejects bad list parameters with 400', async () => {
      for (const query of [
        { limit: 0 },
        { limit: 101 },
        { limit: 'ten' },
        { cursor: 'not-a-cursor!' },
        { sort: 'password' },
        { status: 'secret' },
        { unknown: 1 },
        { sort: 'relevance' },
      ]) {
        const response = await api().get('/api/v1/pages').query(query).expect(400);
        expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      }
      const titleCursor = (await api().get('/api/v1/pages').query({ sort: 'title', limit: 1 }).expect(200)).body.nextCursor;
      await api().get('/api/v1/pages').query({ sort: '-createdAt', cursor: titleCursor }).expect(400);
    });
  });

  describe('search', () => {
    beforeAll(async () => {
      await createPage({ slug: 'kubernetes-guide', title: 'Deploying on Kubernetes', body: 'Helm charts and rolling updates for production clusters.' });
      await createPage({ slug: 'postgres-tuning', title: 'Tuning PostgreSQL', body: 'Indexes, vacuum and connection pooling.' });
      await createPage({ slug: 'cooking', title: 'Sourdough bread', body: 'Flour, water, salt and patience.' });
    });

    it('finds by full-text words in the body, with stemming', async () => {
      const response = await api().get('/api/v1/pages').query({ q: 'index pooling' }).expect(200);
      expect(response.body.data.map((page: { slug: string }) => page.slug)).toEqual(['postgres-tuning']);
    });

    it('finds by a misspelt title word (trigram)', async () => {
      const response = await api().get('/api/v1/pages').query({ q: 'kubernets' }).expect(200);
      expect(response.body.data[0]?.slug).toBe('kubernetes-guide');
    });

    it('paginates relevance-sorted results', async () => {
      const first = await api().get('/api/v1/pages').query({ q: 'list item', limit: 10 }).expect(200);
      expect(first.body.data).toHaveLength(10);
      const second = await api().get('/api/v1/pages').query({ q: 'list item', limit: 10, cursor: first.body.nextCursor }).expect(200);
      const third = await api().get('/api/v1/pages').query({ q: 'list item', limit: 10, cursor: second.body.nextCursor }).expect(200);
      const all = [...first.body.data, ...second.body.data, ...third.body.data].map((page: { slug: string }) => page.slug);
      expect(new Set(all).size).toBe(all.length);
      expect(all.filter((slug) => slug.startsWith('list-'))).toHaveLength(25);
    });

    it('stores SQL-looking text verbatim and searches it safely', async () => {
      const nasty = "Robert'); DROP TABLE pages;-- \\ % _ $1";
      const page = await createPage({ slug: 'bobby-tables', title: nasty, body: nasty });
      expect((await api().get(`/api/v1/pages/${page.id}`).expect(200)).body.title).toBe(nasty);
      await api().get('/api/v1/pages').query({ q: nasty }).expect(200);
      await api().get('/api/v1/pages').query({ q: '"unclosed & | ! :* <->' }).expect(200);
      expect((await api().get('/api/v1/pages').query({ slug: 'bobby-tables' }).expect(200)).body.data).toHaveLength(1);
    });
  });

  describe('batch', () => {
    it('applies every operation in one transaction and reports each result', async () => {
      const existing = await createPage({ slug: 'batch-existing', title: 'Existing' });
      const doomed = await createPage({ slug: 'batch-doomed', title: 'Doomed' });
      const response = await api()
        .post('/api/v1/pages/batch')
        .send({
          operations: [
            { op: 'create', data: { slug: 'batch-new', title: 'New' } },
            { op: 'update', id: existing.id, data: { title: 'Existing v2' }, ifMatch: `"${existing.id}.1"` },
            { op: 'delete', id: doomed.id },
          ],
        })
        .expect(200);
      expect(response.body.data).toEqual([
        expect.objectContaining({ index: 0, op: 'create', status: 201, item: expect.objectContaining({ slug: 'batch-new' }) }),
        expect.objectContaining({ index: 1, op: 'update', status: 200, id: existing.id, item: expect.objectContaining({ title: 'Existing v2', version: 2 }) }),
        expect.objectContaining({ index: 2, op: 'delete', status: 204, id: doomed.id }),
      ]);
      await api().get(`/api/v1/pages/${doomed.id}`).expect(404);
    });

    it('rolls everything back when one operation fails', async () => {
      const keep = await createPage({ slug: 'batch-keep', title: 'Keep' });
      const response = await api()
        .post('/api/v1/pages/batch')
        .send({
          operations: [
            { op: 'create', data: { slug: 'batch-rolled-back', title: 'Never' } },
            { op: 'update', id: keep.id, data: { title: 'Changed' } },
            { op: 'delete', id: '0196f0e4-8a5b-7c3d-9e2f-1a2b3c4d5e6f' },
          ],
        })
        .expect(404);
      expect(response.body).toMatchObject({ failedOperation: 2 });
      expect((await api().get('/api/v1/pages').query({ slug: 'batch-rolled-back' }).expect(200)).body.data).toHaveLength(0);
      expect((await api().get(`/api/v1/pages/${keep.id}`).expect(200)).body).toMatchObject({ title: 'Keep', version: 1 });

      const duplicate = await api()
        .post('/api/v1/pages/batch')
        .send({
          operations: [
            { op: 'create', data: { slug: 'twice', title: 'A' } },
            { op: 'create', data: { slug: 'twice', title: 'B' } },
          ],
        })
        .expect(409);
      expect(duplicate.body.failedOperation).toBe(1);
      expect((await api().get('/api/v1/pages').query({ slug: 'twice' }).expect(200)).body.data).toHaveLength(0);
    });

    it('validates every operation before running any', async () => {
      const response = await api()
        .post('/api/v1/pages/batch')
        .send({
          operations: [
            { op: 'create', data: { slug: 'valid-one', title: 'ok' } },
            { op: 'create', data: { slug: 'Bad Slug', title: 'x', extra: true } },
          ],
        })
        .expect(400);
      expect(Object.keys(response.body.errors)).toEqual(expect.arrayContaining(['operations[1].data.slug', 'operations[1].data.extra']));
      expect((await api().get('/api/v1/pages').query({ slug: 'valid-one' }).expect(200)).body.data).toHaveLength(0);

      for (const operations of [
        [],
        Array.from({ length: 101 }, () => ({ op: 'delete', id: '0196f0e4-8a5b-7c3d-9e2f-1a2b3c4d5e6f' })),
        [{ op: 'upsert' }],
        [{ op: 'update', data: {} }],
        [{ op: 'delete', id: 'nope' }],
        [{ op: 'create', id: '0196f0e4-8a5b-7c3d-9e2f-1a2b3c4d5e6f', data: { slug: 'x', title: 'x' } }],
      ]) {
        await api().post('/api/v1/pages/batch').send({ operations }).expect(400);
      }
    });
  });
});
