import request from 'supertest';
import { createTestEnvironment, TestApp, TestEnvironment } from './support/test-app';

describe('modules', () => {
  let environment: TestEnvironment;
  let strata: TestApp;
  let page: { id: string };

  beforeAll(async () => {
    environment = await createTestEnvironment();
    strata = await environment.start();
    page = (await api().post('/api/v1/pages').send({ slug: 'home', title: 'Home' }).expect(201)).body;
  });
  afterAll(() => environment?.teardown());

  const api = () => request(strata.server);
  const missingId = '0196f0e4-8a5b-7c3d-9e2f-1a2b3c4d5e6f';

  it('creates, reads, updates and deletes a module with ETags', async () => {
    const created = await api()
      .post('/api/v1/modules')
      .send({ pageId: page.id, kind: 'hero', title: 'Welcome', content: { heading: 'Hi', cta: { href: '/start' } }, position: 1 })
      .expect(201);
    expect(created.headers.location).toBe(`/api/v1/modules/${created.body.id}`);
    expect(created.body).toMatchObject({ pageId: page.id, kind: 'hero', content: { heading: 'Hi', cta: { href: '/start' } }, position: 1, version: 1 });

    const read = await api().get(`/api/v1/modules/${created.body.id}`).expect(200);
    await api().get(`/api/v1/modules/${created.body.id}`).set('If-None-Match', read.headers.etag).expect(304);
    const updated = await api().patch(`/api/v1/modules/${created.body.id}`).set('If-Match', read.headers.etag).send({ content: { heading: 'Hello' } }).expect(200);
    expect(updated.body).toMatchObject({ content: { heading: 'Hello' }, version: 2, title: 'Welcome' });
    await api().patch(`/api/v1/modules/${created.body.id}`).set('If-Match', read.headers.etag).send({ title: 'stale' }).expect(412);
    await api().patch(`/api/v1/modules/${created.body.id}`).send({ pageId: null }).expect(200);
    await api().delete(`/api/v1/modules/${created.body.id}`).expect(204);
    await api().get(`/api/v1/modules/${created.body.id}`).expect(404);
  });

  it('refuses a pageId that names no page (422) or is not a UUID (400)', async () => {
    const missing = await api().post('/api/v1/modules').send({ pageId: missingId, kind: 'text', title: 'Orphan' }).expect(422);
    expect(missing.body.detail).toContain(missingId);
    await api().post('/api/v1/modules').send({ pageId: 'page-1', kind: 'text', title: 'x' }).expect(400);
    const module = (await api().post('/api/v1/modules').send({ kind: 'text', title: 'Free' }).expect(201)).body;
    expect(module.pageId).toBeNull();
    await api().patch(`/api/v1/modules/${module.id}`).send({ pageId: missingId }).expect(422);
    expect((await api().get(`/api/v1/modules/${module.id}`).expect(200)).body).toMatchObject({ pageId: null, version: 1 });
  });

  it('refuses bad fields with 400', async () => {
    for (const body of [
      { kind: 'Hero!', title: 'x' },
      { kind: 'hero', title: '' },
      { kind: 'hero', title: 'x', position: -1 },
      { kind: 'hero', title: 'x', position: 1.5 },
      { kind: 'hero', title: 'x', content: [1, 2] },
      { kind: 'hero', title: 'x', unknown: true },
    ]) {
      await api().post('/api/v1/modules').send(body).expect(400);
    }
  });

  it("lists a page's blocks by position across cursor pages", async () => {
    const other = (await api().post('/api/v1/pages').send({ slug: 'other', title: 'Other' }).expect(201)).body;
    for (const position of [5, 3, 9, 1, 7, 2, 8]) {
      await api().post('/api/v1/modules').send({ pageId: page.id, kind: 'text', title: `Block ${position}`, position }).expect(201);
    }
    await api().post('/api/v1/modules').send({ pageId: page.id, kind: 'image', title: 'Picture', position: 4 }).expect(201);
    await api().post('/api/v1/modules').send({ pageId: other.id, kind: 'text', title: 'Elsewhere', position: 0 }).expect(201);

    const positions: number[] = [];
    let cursor: string | null = null;
    do {
      const response: request.Response = await api()
        .get('/api/v1/modules')
        .query({ pageId: page.id, kind: 'text', sort: 'position', limit: 3, ...(cursor ? { cursor } : {}) })
        .expect(200);
      positions.push(...response.body.data.map((module: { position: number }) => module.position));
      cursor = response.body.nextCursor;
    } while (cursor);
    expect(positions).toEqual([1, 2, 3, 5, 7, 8, 9]);
  });

  it('finds blocks by words in their content', async () => {
    await api().post('/api/v1/modules').send({ kind: 'faq', title: 'Questions', content: { answer: 'Refunds are processed within fourteen days' } }).expect(201);
    const found = await api().get('/api/v1/modules').query({ q: 'refund' }).expect(200);
    expect(found.body.data.map((module: { title: string }) => module.title)).toEqual(['Questions']);
  });

  it('keeps the blocks of a deleted page, detached', async () => {
    const doomed = (await api().post('/api/v1/pages').send({ slug: 'doomed', title: 'Doomed' }).expect(201)).body;
    const block = (await api().post('/api/v1/modules').send({ pageId: doomed.id, kind: 'text', title: 'Survivor' }).expect(201)).body;
    await api().delete(`/api/v1/pages/${doomed.id}`).expect(204);
    const detached = await api().get(`/api/v1/modules/${block.id}`).expect(200);
    expect(detached.body).toMatchObject({ pageId: null, version: 2 });
    expect(detached.headers.etag).toBe(`"${block.id}.2"`);
  });

  it('applies a batch all or nothing', async () => {
    const ok = await api()
      .post('/api/v1/modules/batch')
      .send({ operations: [{ op: 'create', data: { pageId: page.id, kind: 'text', title: 'Batch A' } }, { op: 'create', data: { kind: 'text', title: 'Batch B' } }] })
      .expect(200);
    expect(ok.body.data.map((result: { status: number }) => result.status)).toEqual([201, 201]);

    const failed = await api()
      .post('/api/v1/modules/batch')
      .send({
        operations: [
          { op: 'update', id: ok.body.data[0].id, data: { title: 'Batch A changed' } },
          { op: 'create', data: { pageId: missingId, kind: 'text', title: 'Never' } },
        ],
      })
      .expect(422);
    expect(failed.body.failedOperation).toBe(1);
    expect((await api().get(`/api/v1/modules/${ok.body.data[0].id}`).expect(200)).body).toMatchObject({ title: 'Batch A', version: 1 });
  });
});
