import SwaggerParser from '@apidevtools/swagger-parser';
import { createTestEnvironment, TestApp, TestEnvironment } from './support/test-app';

type Operation = { responses?: Record<string, { content?: Record<string, unknown> }>; summary?: string; tags?: string[] };

describe('OpenAPI document', () => {
  let environment: TestEnvironment;
  let strata: TestApp;
  let document: { openapi: string; paths: Record<string, Record<string, Operation>> };

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
        expect({ where, status, content: Object.keys(operation.responses![status].content ?? {}) }).toEqual({ where, status, content: ['application/problem+json'] });
      }
    }
  });

  it('serves Swagger UI at /docs', async () => {
    const response = await strata.api().get('/docs').redirects(1).expect(200);
    expect(response.text).toMatch(/swagger-ui/i);
  });
});
