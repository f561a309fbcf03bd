import request from 'supertest';
import { UsageFlusher } from '@strata/api-keys';
import { bearer, createKey } from './support/api-keys';
import { createTestEnvironment, TestApp, TestEnvironment } from './support/test-app';

/** GET /api/v1/api-keys/self: any valid key learns its own identity and scopes without trying a route. */
describe('GET /api/v1/api-keys/self', () => {
  let environment: TestEnvironment;
  let strata: TestApp;

  beforeAll(async () => {
    environment = await createTestEnvironment();
    strata = await environment.start();
  });
  afterAll(() => environment?.teardown());

  it('answers a key without keys:manage its own identity, never the secret, and counts the call as allowed, not forbidden', async () => {
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    const issued = await createKey(strata, { name: 'reader', scopes: ['content:read'], tier: 'basic', expiresAt, remaining: 10, ownerId: 'customer_7' });

    const self = await request(strata.server).get('/api/v1/api-keys/self').set(bearer(issued.key)).expect(200);
    expect(self.body).toEqual({
      id: issued.id,
      name: 'reader',
      start: issued.key.slice(0, 8),
      scopes: ['content:read'],
      tier: 'basic',
      expiresAt,
      remaining: 9,
      ownerId: 'customer_7',
      bootstrap: false,
    });
    expect(self.headers['cache-control']).toBe('private, no-store');
    expect(self.text).not.toContain(issued.key);

    await strata.app.get(UsageFlusher).publish();
    await strata.app.get(UsageFlusher).flush();
    const usage = await strata.api().get(`/api/v1/api-keys/${issued.id}/usage`).expect(200);
    expect(usage.body.data).toEqual([expect.objectContaining({ allowed: 1, forbidden: 0, total: 1 })]);
  });

  it('answers ADMIN_API_KEY as the bootstrap key, with no stored identity', async () => {
    const self = await strata.api().get('/api/v1/api-keys/self').expect(200);
    expect(self.body).toEqual({
      id: null,
      name: null,
      start: null,
      scopes: ['admin'],
      tier: 'unlimited',
      expiresAt: null,
      remaining: null,
      ownerId: null,
      bootstrap: true,
    });
  });

  it('refuses a missing or revoked key with 401 problem+json', async () => {
    await request(strata.server)
      .get('/api/v1/api-keys/self')
      .expect(401)
      .expect('content-type', /^application\/problem\+json/);
    const revoked = await createKey(strata);
    await strata.api().patch(`/api/v1/api-keys/${revoked.id}/revoke`).expect(200);
    await request(strata.server).get('/api/v1/api-keys/self').set(bearer(revoked.key)).expect(401);
  });

  it('is documented as open to any valid key, with the shared problem responses', async () => {
    const docs = await request(strata.server).get('/docs-json').expect(200);
    const operation = docs.body.paths['/api/v1/api-keys/self'].get;
    expect(operation['x-required-scope']).toBe('none');
    expect(operation.description).toContain('Any valid API key may call this');
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['200', '401', '429']));
    expect(operation.responses['200'].content['application/json'].schema.$ref).toBe('#/components/schemas/ApiKeySelfDto');
  });
});
