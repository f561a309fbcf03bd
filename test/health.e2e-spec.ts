import request from 'supertest';
import { DataSource } from 'typeorm';
import { createTestEnvironment, TestApp, TestEnvironment } from './support/test-app';
import { dropTestDatabase } from './support/test-infra';

/** A port nothing listens on: an instance pointed there has a dead Redis from its first second. */
const DEAD_REDIS_URL = 'redis://127.0.0.1:1';
/** Loose on purpose: a dead dependency must cost a probe a short timeout, not a hang. */
const FAST_ENOUGH_MS = 2000;

async function timed(call: () => Promise<request.Response>): Promise<{ response: request.Response; elapsedMs: number }> {
  const startedAt = Date.now();
  const response = await call();
  return { response, elapsedMs: Date.now() - startedAt };
}

/** PRODUCT.md section 3, "Health and metrics", and section 4 on Redis down. */
describe('health and metrics', () => {
  let environment: TestEnvironment;
  let strata: TestApp;

  beforeAll(async () => {
    environment = await createTestEnvironment();
    strata = await environment.start();
  });
  afterAll(() => environment?.teardown());

  const api = () => strata.api();

  describe('with every dependency up', () => {
    it('answers liveness with 200 {status: "ok"}, uncached, outside /api/v1', async () => {
      const response = await api().get('/health/live').expect(200);
      expect(response.body).toEqual({ status: 'ok' });
      expect(response.headers['cache-control']).toBe('no-store');
      await api().get('/api/v1/health/live').expect(404);
    });

    it('answers readiness with 200 ok in the Terminus shape', async () => {
      const response = await api().get('/health/ready').expect(200);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.body).toEqual({
        status: 'ok',
        info: { postgres: { status: 'up' }, migrations: { status: 'up' }, redis: { status: 'up' } },
        error: {},
        details: { postgres: { status: 'up' }, migrations: { status: 'up' }, redis: { status: 'up' } },
      });
    });

    it('reports every indicator on /health, with what memory and disk measured', async () => {
      const response = await api().get('/health').expect(200);
      expect(Object.keys(response.body.details).sort()).toEqual(['cache', 'disk', 'memory_heap', 'memory_rss', 'migrations', 'postgres', 'queue', 'redis']);
      for (const key of ['postgres', 'migrations', 'redis', 'disk']) expect(response.body.info[key]).toMatchObject({ status: 'up' });
      expect(response.body.details.memory_heap).toEqual(expect.objectContaining({ usedBytes: expect.any(Number), thresholdBytes: expect.any(Number) }));
      expect(response.body.details.memory_rss).toEqual(expect.objectContaining({ usedBytes: expect.any(Number), thresholdBytes: expect.any(Number) }));
      expect(response.body.details.disk).toEqual(expect.objectContaining({ freeBytes: expect.any(Number), totalBytes: expect.any(Number) }));
      // Memory only degrades: how much this test process uses must never turn it into an error.
      expect(['ok', 'degraded']).toContain(response.body.status);
      expect(response.body.status === 'ok').toBe(Object.keys(response.body.error).length === 0);
    });
  });

  describe('metrics', () => {
    it('serves Prometheus text with HTTP latency by route pattern and the health gauge', async () => {
      await api().get('/api/v1/pages/0196f0e4-8a5b-7c3d-9e2f-1a2b3c4d5e6f');
      await api().get('/health/ready').expect(200);
      const response = await api().get('/metrics').expect(200);
      expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(response.text).toContain('# TYPE strata_http_request_duration_seconds histogram');
      expect(response.text).toMatch(/^strata_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/pages\/:id",status_code="\d{3}"\} [1-9]/m);
      expect(response.text).toMatch(/^strata_health_status\{indicator="postgres"\} 1$/m);
      expect(response.text).toMatch(/^strata_process_resident_memory_bytes \d+/m);
    });

    it('answers 404 when METRICS_ENABLED=false', async () => {
      const withoutMetrics = await environment.start({ METRICS_ENABLED: 'false' });
      const response = await request(withoutMetrics.server).get('/metrics').expect(404);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      await request(withoutMetrics.server).get('/health/ready').expect(200);
      await withoutMetrics.close();
    });

    it('with METRICS_TOKEN, serves only a scraper that sends it as a bearer token', async () => {
      const token = 'scrape-token-0123456789';
      const guarded = await environment.start({ METRICS_TOKEN: token });
      try {
        const refused = await request(guarded.server).get('/metrics').expect(401);
        expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(refused.headers['www-authenticate']).toBe('Bearer');
        await request(guarded.server).get('/metrics').set('authorization', 'Bearer not-the-token-at-all').expect(401);
        // An API key, even the admin key, is not the metrics token.
        await guarded.api().get('/metrics').expect(401);
        const served = await request(guarded.server).get('/metrics').set('authorization', `Bearer ${token}`).expect(200);
        expect(served.text).toContain('# TYPE strata_http_request_duration_seconds histogram');
        await request(guarded.server).get('/health/ready').expect(200);
      } finally {
        await guarded.close();
      }
    });
  });

  describe('with Redis dead', () => {
    let deadRedis: TestApp;
    beforeAll(async () => {
      deadRedis = await environment.start({ REDIS_URL: DEAD_REDIS_URL });
    });
    afterAll(() => deadRedis.close());

    it('stays ready: 200 "degraded", naming redis, and answers fast', async () => {
      const { response, elapsedMs } = await timed(() => request(deadRedis.server).get('/health/ready'));
      expect(response.status).toBe(200);
      expect(response.body.status).toBe('degraded');
      expect(response.body.error).toEqual({ redis: expect.objectContaining({ status: 'down', message: expect.any(String) }) });
      expect(response.body.info).toEqual({ postgres: { status: 'up' }, migrations: { status: 'up' } });
      expect(JSON.stringify(response.body)).not.toContain('127.0.0.1');
      expect(elapsedMs).toBeLessThan(FAST_ENOUGH_MS);
    });

    it('reports /health as 200 "degraded", fast, and the gauge shows redis down', async () => {
      const { response, elapsedMs } = await timed(() => request(deadRedis.server).get('/health'));
      expect(response.status).toBe(200);
      expect(response.body.status).toBe('degraded');
      expect(response.body.error.redis).toMatchObject({ status: 'down' });
      expect(response.body.details.postgres).toEqual({ status: 'up' });
      expect(elapsedMs).toBeLessThan(FAST_ENOUGH_MS);

      const metrics = await request(deadRedis.server).get('/metrics').expect(200);
      expect(metrics.text).toMatch(/^strata_health_status\{indicator="redis"\} 0$/m);
    });

    it('still answers liveness', async () => {
      await request(deadRedis.server).get('/health/live').expect(200, { status: 'ok' });
    });
  });

  describe('with the database broken', () => {
    // Its own database: these tests break it for good.
    let broken: TestEnvironment;
    let instance: TestApp;
    beforeAll(async () => {
      broken = await createTestEnvironment();
      instance = await broken.start();
    });
    afterAll(() => broken?.teardown());

    it('is not ready (503, Terminus shape, not problem+json) while a migration is pending', async () => {
      const database = instance.app.get(DataSource);
      const applied: Array<{ name: string }> = await database.query('SELECT name FROM migrations');
      expect(applied.length).toBeGreaterThan(0);
      await database.query('DELETE FROM migrations');

      const response = await request(instance.server).get('/health/ready').expect(503);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.body).toMatchObject({
        status: 'error',
        info: { postgres: { status: 'up' }, redis: { status: 'up' } },
        error: { migrations: { status: 'down', pending: applied.map((row) => row.name) } },
      });
      await request(instance.server).get('/health').expect(503);
    });

    it('is not ready (503), fast, once PostgreSQL is unreachable, and still alive', async () => {
      await dropTestDatabase(broken.databaseName);

      const { response, elapsedMs } = await timed(() => request(instance.server).get('/health/ready'));
      expect(response.status).toBe(503);
      expect(response.body.status).toBe('error');
      expect(response.body.error.postgres).toMatchObject({ status: 'down' });
      expect(response.body.info.redis).toEqual({ status: 'up' });
      expect(JSON.stringify(response.body)).not.toContain(broken.databaseName);
      expect(elapsedMs).toBeLessThan(FAST_ENOUGH_MS);

      await request(instance.server).get('/health/live').expect(200, { status: 'ok' });
    });
  });

  it('documents the probes and /metrics, unprefixed, in the OpenAPI document', async () => {
    const document = (await api().get('/docs-json').expect(200)).body;
    for (const path of ['/health', '/health/live', '/health/ready']) {
      expect(document.paths[path].get.tags).toEqual(['health']);
      expect(document.paths[path].get.responses['200'].content['application/json'].schema).toBeDefined();
    }
    expect(Object.keys(document.paths['/health/ready'].get.responses['503'].content)).toEqual(['application/json']);
    expect(document.paths['/health/ready'].get.responses['200'].content['application/json'].examples.degraded.value.status).toBe('degraded');
    expect(Object.keys(document.paths['/metrics'].get.responses['200'].content)).toEqual(['text/plain']);
    expect(document.paths['/api/v1/health']).toBeUndefined();
  });
});
