import SwaggerParser from '@apidevtools/swagger-parser';
import request from 'supertest';
import { version } from '../package.json';
import { createTestEnvironment, TestApp, TestEnvironment } from './support/test-app';

type Parameter = { name: string; in: string; required?: boolean; example?: unknown; examples?: unknown; schema?: { example?: unknown } };
type Response = { $ref?: string; content?: Record<string, unknown> };
type Operation = { responses?: Record<string, Response>; summary?: string; tags?: string[]; parameters?: Parameter[] };

describe('OpenAPI document', () => {
  let environment: TestEnvironment;
  let strata: TestApp;
  let document: {
    openapi: string;
    info: { version: string };
    tags: Array<{ name: string }>;
    paths: Record<string, Record<string, Operation>>;
    components: { responses: Record<string, Response> };
  };

  beforeAll(async () => {
    environment = await createTestEnvironment();
    strata = await environment.start();
    document = (await strata.api().get('/docs-json').expect(200)).body;
  });
  afterAll(() => environment?.teardown());

  it('is a valid OpenAPI 3 document', async () => {
    expect(document.openapi).toMatch(/^3\./);
    // validate() dereferences in place; give it a copy so later checks see the original.
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeDefined();
  });

  it('documents every content route with a summary, a tag, a success response and problem+json errors', () => {
    const apiOperations = Object.entries(document.paths)
      .filter(([path]) => path.startsWith('/api/v1/'))
      .flatMap(([path, methods]) => Object.entries(methods).map(([method, operation]) => ({ path, method, operation })));
    expect(apiOperations.length).toBeGreaterThan(5);
    for (const { path, method, operation } of apiOperations) {
      const where = `${method.toUpperCase()} ${path}`;
      expect({ where, summary: operation.summary }).toEqual({ where, summary: expect.any(String) });
      expect({ where, tags: operation.tags?.length }).toEqual({ where, tags: 1 });
      const statuses = Object.keys(operation.responses ?? {});
      expect({ where, success: statuses.some((status) => /^2\d\d$/.test(status)) }).toEqual({ where, success: true });
      const errors = statuses.filter((status) => /^[45]\d\d$/.test(status));
      expect({ where, errors: errors.length > 0 }).toEqual({ where, errors: true });
      for (const status of errors) {
        const response = resolveResponse(operation.responses![status]);
        expect({ where, status, content: Object.keys(response.content ?? {}) }).toEqual({
          where,
          status,
          content: ['application/problem+json'],
        });
      }
    }
  });

  // Common problems are shared responses (components.responses), referenced by $ref.
  const resolveResponse = (response: { $ref?: string; content?: Record<string, unknown> }) =>
    response.$ref ? document.components.responses[response.$ref.replace('#/components/responses/', '')] : response;

  const operations = () =>
    Object.entries(document.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, operation]) => ({ path, method, operation })));

  it('gives the release version from package.json', () => {
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
    expect(document.info.version).toBe(version);
  });

  it('lists every tag once, content first and operator tools (cache, health) last', () => {
    const tags = document.tags.map((tag) => tag.name);
    const used = new Set(operations().flatMap(({ operation }) => operation.tags ?? []));
    expect(new Set(tags)).toEqual(used);
    expect(tags).toHaveLength(used.size);
    expect(tags.slice(0, 4)).toEqual(['pages', 'modules', 'media', 'relationships']);
    expect(tags.at(-1)).toBe('health');
    expect(tags.indexOf('cache')).toBeGreaterThan(tags.indexOf('webhooks'));
    expect(tags.indexOf('cache')).toBeGreaterThan(tags.indexOf('api-keys'));
  });

  it('prefills no optional query filter in Try-it-out (no example on it), keeping the example in the description', () => {
    const prefilled = operations().flatMap(({ path, method, operation }) =>
      (operation.parameters ?? [])
        .filter((parameter) => parameter.in === 'query' && !parameter.required)
        .filter((parameter) => parameter.example !== undefined || parameter.examples !== undefined || parameter.schema?.example !== undefined)
        .map((parameter) => `${method.toUpperCase()} ${path} ?${parameter.name}`),
    );
    expect(prefilled).toEqual([]);
    const tag = document.paths['/api/v1/pages'].get.parameters?.find((parameter) => parameter.name === 'tag') as Parameter & { description?: string };
    expect(tag.description).toMatch(/Example: `news`/);
  });

  it('answers GET / with a JSON index of links, without a key or a rate limit', async () => {
    const response = await request(strata.server).get('/').expect(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.headers['ratelimit']).toBeUndefined();
    expect(response.body).toEqual(expect.objectContaining({ name: 'Strata', version }));
    expect(response.body.links).toEqual(expect.objectContaining({ api: '/api/v1', docs: '/docs', openapi: '/docs-json', health: '/health' }));
    for (const link of ['docs', 'openapi', 'openapiYaml']) await request(strata.server).get(response.body.links[link]).redirects(1).expect(200);
    expect([200, 503]).toContain((await request(strata.server).get(response.body.links.health)).status);
    // The API root itself is for clients with a key: with one, a list under it answers.
    await strata.api().get(`${response.body.links.api}/pages`).expect(200);
    await request(strata.server).head('/').expect(200);
  });

  it('serves Swagger UI at /docs', async () => {
    const response = await strata.api().get('/docs').redirects(1).expect(200);
    expect(response.text).toMatch(/swagger-ui/i);
  });
});
