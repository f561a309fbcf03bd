import { connect } from 'node:net';
import fc from 'fast-check';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { schemaArbitrary, Schema } from './support/openapi-arbitraries';
import { createTestEnvironment, TestApp, TestEnvironment } from './support/test-app';

interface Operation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  pathParameters: string[];
  query: Array<{ name: string; schema: Schema }>;
  body?: Schema;
}

/** Runs per operation: enough to reach every field with odd values, within the suite's time budget. */
const RUNS_PER_OPERATION = Number(process.env.FUZZ_RUNS ?? 25);
/** FUZZ_SEED=<seed printed by a failure> replays that failure. */
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
/** What must never reach a client: stack frames, SQL, driver messages. */
const INTERNALS =
  /\bat [\w$.<>]+ \(|node_modules|\.ts:\d+|QueryFailedError|TypeORM|\bSELECT\b[\s\S]*\bFROM\b|\bINSERT INTO\b|syntax error at|duplicate key value|violates .* constraint|Cannot read propert/i;
/** Tables a request may write: their row versions (xmin) must not move when it is refused. */
const VERSIONED_TABLES = ['pages', 'modules', 'media', 'relationships', 'relationship_types', 'api_keys'];
/** Tables background work also updates (the relay, delivery outcomes): only their row counts. */
const COUNTED_TABLES = ['outbox_events', 'webhook_endpoints'];

/**
 * Property-based fuzzing of every request body, query string and path parameter in the OpenAPI
 * document: no input may get a 5xx, a 4xx that is not problem+json, internals in a body, or a
 * refused request that still changed something. Plus inputs a generator does not produce.
 */
describe('bad input (fuzzed from the OpenAPI document)', () => {
  let environment: TestEnvironment;
  let strata: TestApp;
  let dataSource: DataSource;
  let operations: Operation[];
  let resolveRef: (ref: string) => Schema;

  beforeAll(async () => {
    environment = await createTestEnvironment({ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'false' });
    strata = await environment.start();
    dataSource = strata.app.get(DataSource);
    const document = (await request(strata.server).get('/docs-json').expect(200)).body;
    const resolve = (ref: string): Schema =>
      ref
        .split('/')
        .slice(1)
        .reduce((node, part) => node[part], document);
    resolveRef = resolve;
    operations = [];
    for (const [path, item] of Object.entries<Record<string, any>>(document.paths)) {
      if (!path.startsWith('/api/')) continue;
      for (const [method, operation] of Object.entries<any>(item)) {
        if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
        // The event stream never ends; its query is covered by the hand-written cases below.
        if (operation.responses?.['200']?.content?.['text/event-stream']) continue;
        const parameters: any[] = (operation.parameters ?? []).map((parameter: any) => (parameter.$ref ? resolve(parameter.$ref) : parameter));
        const bodySchema = operation.requestBody?.content?.['application/json']?.schema;
        operations.push({
          method: method as Operation['method'],
          path,
          pathParameters: parameters.filter((parameter) => parameter.in === 'path').map((parameter) => parameter.name),
          query: parameters.filter((parameter) => parameter.in === 'query').map((parameter) => ({ name: parameter.name, schema: parameter.schema ?? {} })),
          body: bodySchema ? (bodySchema.$ref ? resolve(bodySchema.$ref) : bodySchema) : undefined,
        });
      }
    }
  });
  afterAll(() => environment?.teardown());

  async function writeSnapshot(): Promise<string> {
    const columns = [
      ...VERSIONED_TABLES.map((table) => `(SELECT count(*) || '/' || coalesce(sum(xmin::text::bigint), 0) FROM ${table})`),
      ...COUNTED_TABLES.map((table) => `(SELECT count(*)::text FROM ${table})`),
    ];
    return JSON.stringify((await dataSource.query(`SELECT ${columns.map((column, i) => `${column} AS t${i}`).join(', ')}`))[0]);
  }

  /** Why an answer is wrong, or undefined. */
  function fault(status: number, contentType: string | undefined, text: string): string | undefined {
    if (status >= 500) return `answered ${status}`;
    if (INTERNALS.test(text)) return `leaked internals: ${text.slice(0, 200)}`;
    if (status >= 400) {
      if (!/^application\/problem\+json/.test(contentType ?? '')) return `${status} without problem+json`;
      if (JSON.parse(text).status !== status) return `${status} with a problem body of another status`;
    }
    return undefined;
  }

  it('answers every generated input with a 2xx or a clean 4xx, and a refused one changes nothing', async () => {
    expect(operations.length).toBeGreaterThan(40);
    const failures: string[] = [];
    const segment = fc.oneof(fc.uuid(), fc.string({ maxLength: 40 }), fc.constantFrom('sk_x', '%00', '..', ' ', '9'.repeat(400)));
    for (const operation of operations) {
      const input = fc.record({
        path: fc.tuple(...operation.pathParameters.map(() => segment), fc.constant('')),
        query: fc.record(
          Object.fromEntries(
            operation.query.map(({ name, schema }) => [name, fc.oneof(schemaArbitrary(schema, resolveRef), fc.array(fc.string(), { maxLength: 3 }))]),
          ),
          { requiredKeys: [] },
        ),
        body: operation.body ? schemaArbitrary(operation.body, resolveRef) : fc.constant(undefined),
      });
      const details = await fc.check(
        fc.asyncProperty(input, async ({ path: values, query, body }) => {
          let index = 0;
          const path = operation.path.replace(/\{[^}]+\}/g, () => encodeURIComponent(String(values[index++] || 'x')));
          const search = new URLSearchParams();
          for (const [name, value] of Object.entries(query))
            for (const item of [value].flat()) search.append(name, typeof item === 'string' ? item : JSON.stringify(item));
          const before = await writeSnapshot();
          // A request that hangs is a fault too: it fails here instead of stalling the suite.
          const client = strata.api();
          const call = client[operation.method](`${path}${search.size ? `?${search.toString()}` : ''}`).timeout(5_000);
          const response = await (operation.body ? call.set('content-type', 'application/json').send(JSON.stringify(body ?? null)) : call);
          const problem = fault(response.status, response.headers['content-type'], response.text ?? '');
          if (problem) throw new Error(problem);
          if (response.status >= 400 && (await writeSnapshot()) !== before) throw new Error(`a refused ${response.status} changed the database`);
        }),
        { numRuns: RUNS_PER_OPERATION, seed: SEED, endOnFailure: true },
      );
      if (details.failed) {
        failures.push(
          `${operation.method.toUpperCase()} ${operation.path}: ${(details.errorInstance as Error)?.message} — input ${fc.stringify(details.counterexample)} (FUZZ_SEED=${details.seed})`,
        );
      }
    }
    expect(failures).toEqual([]);
  });

  it('answers malformed, oversized and odd requests with clean 4xx problems', async () => {
    const cases: Array<[string, () => request.Test, number[]]> = [
      ['malformed JSON', () => strata.api().post('/api/v1/pages').set('content-type', 'application/json').send('{"slug": "a",'), [400]],
      [
        'a huge number',
        () => strata.api().post('/api/v1/pages').set('content-type', 'application/json').send('{"slug":"n","title":"t","metadata":{"n":1e999}}'),
        [201, 400],
      ],
      [
        'deep nesting',
        () =>
          strata
            .api()
            .post('/api/v1/pages')
            .set('content-type', 'application/json')
            .send(`${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`),
        [400],
      ],
      [
        'invalid UTF-8',
        () =>
          strata
            .api()
            .post('/api/v1/pages')
            .set('content-type', 'application/json')
            .send(Buffer.from([0x7b, 0x22, 0x73, 0x6c, 0x75, 0x67, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d])),
        [400],
      ],
      ['a null byte in a body string', () => strata.api().post('/api/v1/pages').send({ slug: 'nul', title: 'a\u0000b' }), [201, 400]],
      ['a null byte in the query', () => strata.api().get('/api/v1/pages?q=a%00b&tag=%00'), [200, 400]],
      ['a null byte in the path', () => strata.api().get('/api/v1/pages/%00'), [400, 404]],
      ['a body that is not an object', () => strata.api().post('/api/v1/pages').set('content-type', 'application/json').send('[1,2,3]'), [400]],
      ['a body of the wrong type', () => strata.api().post('/api/v1/pages').set('content-type', 'text/plain').send('slug=a'), [400, 415]],
      ['a limit out of range', () => strata.api().get('/api/v1/pages?limit=1000000000000000000000'), [400]],
      ['a forged cursor', () => strata.api().get('/api/v1/pages?cursor=eyJzb3J0IjoiLWNyZWF0ZWRBdCJ9'), [400]],
      [
        'the event stream with odd types',
        () =>
          strata
            .api()
            .get('/api/v1/events?types=%00,***,' + 'x'.repeat(5000))
            .timeout(3000),
        [400],
      ],
    ];
    const wrong: string[] = [];
    for (const [name, send, expected] of cases) {
      const response = await send();
      const problem = fault(response.status, response.headers['content-type'], response.text ?? '');
      if (problem || !expected.includes(response.status)) wrong.push(`${name}: ${response.status} ${problem ?? ''}`);
    }
    expect(wrong).toEqual([]);
  });

  it('answers over-long headers with 431 and stays responsive with many idle connections', async () => {
    const long = await strata
      .api()
      .get('/api/v1/pages')
      .set('x-padding', 'x'.repeat(64 * 1024))
      .ok(() => true);
    expect(long.status).toBe(431);
    expect(fault(long.status, long.headers['content-type'], long.text ?? '')).toBeUndefined();

    const address = strata.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    if (!port) await new Promise<void>((resolve) => strata.server.listen(0, '127.0.0.1', resolve));
    const target = strata.server.address() as { port: number };
    const idle = await Promise.all(
      Array.from(
        { length: 300 },
        () =>
          new Promise<ReturnType<typeof connect>>((resolve, reject) => {
            const socket = connect(target.port, '127.0.0.1', () => resolve(socket));
            socket.on('error', reject);
          }),
      ),
    );
    try {
      await strata.api().get('/api/v1/pages').expect(200);
    } finally {
      for (const socket of idle) socket.destroy();
    }
  });
});
