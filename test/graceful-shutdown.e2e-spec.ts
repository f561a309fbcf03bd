import { AddressInfo } from 'node:net';
import { createTestEnvironment, TestApp, TestEnvironment } from './support/test-app';

/**
 * What SIGTERM does (apps/shutdown.ts calls app.close()): the server stops accepting, requests
 * already in flight finish with their real answer, then connections close.
 */
describe('graceful shutdown', () => {
  let environment: TestEnvironment;
  let strata: TestApp;

  beforeAll(async () => {
    environment = await createTestEnvironment();
    strata = await environment.start();
    await strata.app.listen(0, '127.0.0.1');
  });
  afterAll(() => environment?.teardown());

  it('finishes in-flight requests, then refuses new connections', async () => {
    const { port } = strata.app.getHttpServer().address() as AddressInfo;
    const base = `http://127.0.0.1:${port}`;
    const adminKey = environment.env.ADMIN_API_KEY;
    const headers = { 'content-type': 'application/json', ...(adminKey ? { authorization: `Bearer ${adminKey}` } : {}) };
    const operations = Array.from({ length: 100 }, (_, index) => ({ op: 'create', data: { slug: `drain-${index}`, title: `Drain ${index}`, body: 'x'.repeat(2000) } }));
    // Close only once the server has the request (a fixed sleep is too short on a loaded machine).
    const arrived = new Promise((resolve) => strata.app.getHttpServer().once('request', resolve));
    const inFlight = fetch(`${base}/api/v1/pages/batch`, { method: 'POST', headers, body: JSON.stringify({ operations }) });
    await arrived;
    const closing = strata.close();

    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(((await response.json()) as { data: unknown[] }).data).toHaveLength(100);
    await closing;
    await expect(fetch(`${base}/health/live`)).rejects.toThrow();
  });
});
