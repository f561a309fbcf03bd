import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { createTestEnvironment, TestApp, TestEnvironment } from './support/test-app';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/**
 * Cached reads negotiate Accept-Encoding and send bytes compressed once per representation
 * (kept beside the cached value), never stale ones: the raw bytes on the wire are checked, so
 * no client library decompresses them for us.
 */
describe('compressed representations of cached reads', () => {
  let environment: TestEnvironment;
  let strata: TestApp;
  let base: string;

  beforeAll(async () => {
    environment = await createTestEnvironment();
    strata = await environment.start();
    await strata.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(strata.app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(() => environment?.teardown());

  const get = (path: string, headers: Record<string, string> = {}) =>
    new Promise<RawResponse>((resolve, reject) => {
      const call = httpRequest(`${base}${path}`, { headers: { authorization: `Bearer ${environment.env.ADMIN_API_KEY}`, ...headers } }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
      });
      call.on('error', reject);
      call.end();
    });
  const decoded = (response: RawResponse) => {
    const coding = response.headers['content-encoding'];
    const bytes = coding === 'br' ? brotliDecompressSync(response.body) : coding === 'gzip' ? gunzipSync(response.body) : response.body;
    return JSON.parse(bytes.toString('utf8'));
  };
  const createPage = async (slug: string, words = 400) =>
    (
      await strata
        .api()
        .post('/api/v1/pages')
        .send({ slug, title: slug, body: 'lorem ipsum dolor '.repeat(words / 3) })
        .expect(201)
    ).body;

  it('sends br or gzip as negotiated, with Vary and a per-coding strong ETag, the same bytes every time', async () => {
    const page = await createPage('compressed');
    const path = `/api/v1/pages/${page.id}`;
    const plain = await get(path);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toMatch(/accept-encoding/i);
    expect(plain.headers.etag).toBe(`"${page.id}.1"`);

    const first = await get(path, { 'accept-encoding': 'br, gzip' });
    const second = await get(path, { 'accept-encoding': 'br, gzip' });
    expect(first.headers['content-encoding']).toBe('br');
    expect(first.headers.vary).toMatch(/accept-encoding/i);
    expect(first.headers.etag).toBe(`"${page.id}.1-br"`);
    expect(Number(first.headers['content-length'])).toBe(first.body.length);
    expect(first.body.length).toBeLessThan(plain.body.length / 3);
    expect(second.body.equals(first.body)).toBe(true);
    expect(decoded(first)).toEqual(JSON.parse(plain.body.toString('utf8')));

    // q-values are honoured; x-gzip is gzip; identity alone gets identity.
    const gzip = await get(path, { 'accept-encoding': 'br;q=0.5, gzip;q=1' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(decoded(gzip)).toEqual(decoded(first));
    expect((await get(path, { 'accept-encoding': 'x-gzip' })).headers['content-encoding']).toBe('gzip');
    expect((await get(path, { 'accept-encoding': 'identity' })).headers['content-encoding']).toBeUndefined();
    // The tag sent back with its coding suffix revalidates.
    expect((await get(path, { 'accept-encoding': 'br', 'if-none-match': first.headers.etag as string })).status).toBe(304);
  });

  it('answers a kept representation (written around the onSend hooks) exactly as the hooks answer it', async () => {
    // Non-ASCII text, so the compressed bytes span 0–255 and any re-encoding of them would show.
    const page = (
      await strata
        .api()
        .post('/api/v1/pages')
        .send({ slug: 'written-around', title: 'Grüße — 東京 ✓', body: 'données élevées ŝ '.repeat(120) })
        .expect(201)
    ).body;
    const path = `/api/v1/pages/${page.id}`;
    const servedOk = async () => {
      const metrics = (await strata.api().get('/metrics').expect(200)).text;
      const count = /^strata_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/pages\/:id",status_code="200"\} (\d+)$/m.exec(metrics);
      return Number(count?.[1] ?? 0);
    };
    const plain = await get(path);
    const countedBefore = await servedOk();
    for (const coding of ['br', 'gzip']) {
      // The first compressed read makes the bytes (the onSend path); the next ones find them kept.
      const throughHooks = await get(path, { 'accept-encoding': coding, origin: 'https://app.example' });
      const kept = await get(path, { 'accept-encoding': coding, origin: 'https://app.example' });
      expect(kept.headers['content-encoding']).toBe(coding);
      expect(kept.body.equals(throughHooks.body)).toBe(true);
      expect(decoded(kept)).toEqual(JSON.parse(plain.body.toString('utf8')));
      const comparable = (headers: RawResponse['headers']) => ({ ...headers, date: undefined, 'x-request-id': undefined });
      expect(comparable(kept.headers)).toEqual(comparable(throughHooks.headers));
      expect(kept.headers['x-request-id']).toMatch(/\S/);
    }
    // onResponse hooks (the metrics, the access log) still run for them: the four reads are counted.
    expect(await servedOk()).toBe(countedBefore + 4);
  });

  it('has no onSend hook on the item routes beyond those PrecompressedBodies.answerKept stands in for', () => {
    // answerKept writes around the onSend hooks: one added later would not apply to its answers.
    // If this fails, make answerKept do what the new hook does, then list it here.
    const lines = strata.app.getHttpAdapter().getInstance().printRoutes({ method: 'GET', includeHooks: true, commonPrefix: false }).split('\n');
    for (const collection of ['pages', 'modules', 'media']) {
      const list = lines.findIndex((line) => line.includes(`api/v1/${collection} (GET`));
      const item = lines.findIndex((line, index) => index > list && line.includes('/:id (GET'));
      const onSend = lines.find((line, index) => index > item && line.includes('(onSend)'));
      expect({ collection, hooks: onSend?.replace(/.*\(onSend\)\s*/, '') }).toEqual({
        collection,
        // drainConnectionsOnClose's, PrecompressedBodies.onSend, @fastify/compress's, and the ETag's coding suffix.
        hooks: '["anonymous()","onSend()","onSend()","markEtagWithEncoding()"]',
      });
    }
  });

  it('never sends the compressed bytes of an older version', async () => {
    const page = await createPage('changing');
    const path = `/api/v1/pages/${page.id}`;
    expect(decoded(await get(path, { 'accept-encoding': 'br' })).title).toBe('changing');
    await strata.api().patch(`/api/v1/pages/${page.id}`).send({ title: 'changed' }).expect(200);
    const after = await get(path, { 'accept-encoding': 'br' });
    expect(after.headers.etag).toBe(`"${page.id}.2-br"`);
    expect(decoded(after)).toMatchObject({ title: 'changed', version: 2 });
  });

  it('compresses a cached list once, and a changed list anew', async () => {
    for (let index = 0; index < 3; index++) await createPage(`listed-${index}`);
    const path = '/api/v1/pages?limit=100';
    const l1Entries = async () => (await strata.api().get('/api/v1/cache/stats').expect(200)).body.l1.entries as number;
    const first = await get(path, { 'accept-encoding': 'gzip' });
    const entriesAfterFirst = await l1Entries();
    const second = await get(path, { 'accept-encoding': 'gzip' });
    // Kept from the first request (one L1 entry), not made again.
    expect(await l1Entries()).toBe(entriesAfterFirst);
    await get(path, { 'accept-encoding': 'br' });
    expect(await l1Entries()).toBe(entriesAfterFirst + 1);
    expect(first.headers['content-encoding']).toBe('gzip');
    expect(first.headers.vary).toMatch(/accept-encoding/i);
    expect(second.body.equals(first.body)).toBe(true);
    const count = decoded(first).data.length;
    await createPage('listed-later');
    const after = decoded(await get(path, { 'accept-encoding': 'gzip' }));
    expect(after.data).toHaveLength(count + 1);
    expect(after.data.map((page: { slug: string }) => page.slug)).toContain('listed-later');
  });

  it('leaves small bodies uncompressed, as before', async () => {
    const page = await createPage('small', 3);
    const small = await get(`/api/v1/pages/${page.id}`, { 'accept-encoding': 'br, gzip' });
    expect(small.body.length).toBeLessThan(1024);
    expect(small.headers['content-encoding']).toBeUndefined();
  });
});
