import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { bearer, createKey } from './support/api-keys';
import { createTestEnvironment, TestApp, TestEnvironment } from './support/test-app';

interface Operation {
  method: string;
  path: string;
  scope: string;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
const SCOPE_EXTENSION = 'x-required-scope';

/**
 * Every /api/v1 operation of the OpenAPI document, called with no key, an invalid, a revoked and
 * an expired key (401 each) and a key without its scope (403). The list comes from the document
 * the app serves, so a route added later without protection, or without a documented scope, fails
 * here. Path parameters get random UUIDs and bodies are empty: the answer must come from the
 * access check, before any lookup or validation.
 */
describe('auth matrix from the OpenAPI document', () => {
  let environment: TestEnvironment;
  let strata: TestApp;
  let operations: Operation[];
  const keys: Record<'revoked' | 'expired' | 'reader' | 'webhooksOnly', string> = { revoked: '', expired: '', reader: '', webhooksOnly: '' };

  beforeAll(async () => {
    // Hundreds of refused calls from one address: the per-IP budget for requests without a valid
    // key is raised so that it is the 401 being tested, not the 429 that would follow.
    environment = await createTestEnvironment({ RATE_LIMIT_TIERS: JSON.stringify({ anonymous: { perMinute: 1_000_000, perDay: 10_000_000 } }) });
    strata = await environment.start();
    const document = (await request(strata.server).get('/docs-json').expect(200)).body as { paths: Record<string, Record<string, Record<string, unknown>>> };
    operations = Object.entries(document.paths)
      .filter(([path]) => path.startsWith('/api/'))
      .flatMap(([path, item]) =>
        Object.entries(item)
          .filter(([method]) => METHODS.includes(method))
          .map(([method, operation]) => ({ method, path, scope: operation[SCOPE_EXTENSION] as string })),
      );

    const revoked = await createKey(strata, { scopes: ['admin'], tier: 'unlimited' });
    await strata.api().patch(`/api/v1/api-keys/${revoked.id}/revoke`).expect(200);
    keys.revoked = revoked.key;
    const expired = await createKey(strata, { scopes: ['admin'], tier: 'unlimited', expiresAt: new Date(Date.now() + 1500).toISOString() });
    keys.expired = expired.key;
    keys.reader = (await createKey(strata, { scopes: ['content:read'], tier: 'unlimited' })).key;
    keys.webhooksOnly = (await createKey(strata, { scopes: ['webhooks:manage'], tier: 'unlimited' })).key;
    await new Promise((resolve) => setTimeout(resolve, 1600));
  });
  afterAll(() => environment?.teardown());

  const call = (operation: Operation, headers: Record<string, string>) => {
    const path = operation.path.replace(/\{[^}]+\}/g, () => randomUUID());
    const test = request(strata.server)[operation.method as 'get'](path).set(headers);
    return operation.method === 'get' || operation.method === 'delete' ? test : test.send({});
  };

  it('finds the routes, each with a documented scope', () => {
    expect(operations.length).toBeGreaterThan(40);
    const undocumented = operations.filter((operation) => !operation.scope).map(({ method, path }) => `${method.toUpperCase()} ${path}`);
    expect(undocumented).toEqual([]);
  });

  it('answers 401 problem+json without a valid key, and 403 with a key lacking the scope, on every operation', async () => {
    const wrong: string[] = [];
    const cases: Array<[string, Record<string, string>, number]> = [
      ['no key', {}, 401],
      ['an invalid key', bearer(`sk_${randomUUID().replace(/-/g, '')}abcdefgh`), 401],
      ['a revoked key', bearer(keys.revoked), 401],
      ['an expired key', { 'x-api-key': keys.expired }, 401],
    ];
    for (const operation of operations) {
      const lacking = operation.scope === 'content:read' ? keys.webhooksOnly : keys.reader;
      // A route open to any valid key (scope `none`) has no key lacking its scope.
      const lackingCase: Array<[string, Record<string, string>, number]> =
        operation.scope === 'none' ? [] : [['a key without the scope', bearer(lacking), 403]];
      for (const [name, headers, status] of [...cases, ...lackingCase]) {
        const response = await call(operation, headers);
        const problem = /^application\/problem\+json/.test(response.headers['content-type'] ?? '');
        if (response.status !== status || !problem)
          wrong.push(`${operation.method.toUpperCase()} ${operation.path} with ${name}: ${response.status}${problem ? '' : ' (not problem+json)'}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('changes nothing when it refuses', async () => {
    const dataSource = strata.app.get(DataSource);
    const tables = ['pages', 'modules', 'media', 'relationships', 'webhook_endpoints', 'api_keys', 'outbox_events'];
    const count = async () => Promise.all(tables.map(async (table) => Number((await dataSource.query(`SELECT count(*) AS n FROM ${table}`))[0].n)));
    const before = await count();
    for (const operation of operations.filter(({ method }) => method !== 'get')) {
      await call(operation, {}).expect(401);
      await call(operation, bearer(operation.scope === 'content:read' ? keys.webhooksOnly : keys.reader)).expect(403);
    }
    expect(await count()).toEqual(before);
  });
});
