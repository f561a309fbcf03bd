import request from 'supertest';
import { createTestEnvironment, TestApp, TestEnvironment } from './support/test-app';

/**
 * HSTS and CSP `upgrade-insecure-requests` only for requests that arrived over HTTPS: over plain
 * HTTP they make a browser fetch Swagger UI's scripts over https (a blank /docs from any host
 * but localhost). A proxy's `X-Forwarded-Proto: https` counts only from a peer TRUST_PROXY
 * trusts; the tests' peer is loopback.
 */
describe('Security headers by transport', () => {
  let environment: TestEnvironment;
  const instances: Record<string, TestApp> = {};

  beforeAll(async () => {
    environment = await createTestEnvironment();
    instances.unset = await environment.start();
    instances.all = await environment.start({ TRUST_PROXY: 'true' });
    instances.loopback = await environment.start({ TRUST_PROXY: 'loopback' });
    instances.other = await environment.start({ TRUST_PROXY: '10.0.0.1, 192.168.0.0/16' });
  });
  afterAll(() => environment?.teardown());

  const PATHS = ['/api/v1/pages', '/docs/', '/health/live'];

  /** The two HTTPS-only headers, as a response sent them. */
  const httpsOnly = (response: request.Response) => ({
    hsts: response.headers['strict-transport-security'],
    upgrade: /upgrade-insecure-requests/.test(response.headers['content-security-policy'] ?? ''),
  });

  const get = (instance: string, path: string, headers: Record<string, string> = {}) =>
    instances[instance]
      .api(headers)
      .get(path)
      .expect((response) => {
        if (response.status >= 400) throw new Error(`${path} answered ${response.status}`);
      });

  it('sends neither over plain HTTP, with the rest of the headers', async () => {
    for (const instance of Object.keys(instances)) {
      for (const path of PATHS) {
        const response = await get(instance, path);
        expect({ instance, path, ...httpsOnly(response) }).toEqual({ instance, path, hsts: undefined, upgrade: false });
        expect(response.headers['content-security-policy']).toMatch(/default-src 'self'/);
        expect(response.headers['x-content-type-options']).toBe('nosniff');
      }
    }
  });

  it('ignores X-Forwarded-Proto: https when TRUST_PROXY is unset or does not name the peer', async () => {
    for (const instance of ['unset', 'other']) {
      for (const path of PATHS) {
        const response = await get(instance, path, { 'X-Forwarded-Proto': 'https' });
        expect({ instance, path, ...httpsOnly(response) }).toEqual({ instance, path, hsts: undefined, upgrade: false });
      }
    }
  });

  it('sends both for X-Forwarded-Proto: https from a trusted proxy', async () => {
    for (const instance of ['all', 'loopback']) {
      for (const path of PATHS) {
        const response = await get(instance, path, { 'X-Forwarded-Proto': 'https' });
        expect({ instance, path, ...httpsOnly(response) }).toEqual({ instance, path, hsts: expect.stringMatching(/^max-age=\d+/), upgrade: true });
        expect(response.headers['content-security-policy']).toMatch(/default-src 'self'/);
      }
      // The same proxy saying the client came over http gets the plain-HTTP set.
      const plain = await get(instance, '/api/v1/pages', { 'X-Forwarded-Proto': 'http' });
      expect(httpsOnly(plain)).toEqual({ hsts: undefined, upgrade: false });
    }
  });

  it('takes the client address from X-Forwarded-For only from a trusted proxy', async () => {
    // A request without a key spends its address's (request.ip's) anonymous budget: the
    // minute's remaining count in the RateLimit header shows whose budget it was.
    const remaining = async (instance: string, forwardedFor: string) => {
      const response = await request(instances[instance].server).get('/api/v1/pages').set('X-Forwarded-For', forwardedFor).expect(401);
      return Number(/"minute";r=(\d+)/.exec(response.headers['ratelimit'])?.[1]);
    };
    // Trusted: two clients behind the proxy, two fresh budgets.
    const first = await remaining('all', '203.0.113.1');
    expect(await remaining('all', '203.0.113.2')).toBe(first);
    // Not trusted: the header is anyone's to send, so both count against the proxy's address.
    const before = await remaining('unset', '203.0.113.3');
    expect(await remaining('unset', '203.0.113.4')).toBe(before - 1);
  });
});
