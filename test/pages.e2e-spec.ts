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

  const api = () => request(strata.server);

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

    await api().delete(`/api/v1/pages/${created.body.id}`).expect(204);
    const gone = await api().get(`/api/v1/pages/${created.body.id}`).expect(404);
    expect(gone.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(gone.body).toMatchObject({ status: 404, title: 'Not Found', instance: `/api/v1/pages/${created.body.id}` });
    expect(gone.body.requestId).toBe(gone.headers['x-request-id']);
  });
});
