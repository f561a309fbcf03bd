import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { Client } from 'pg';
import { SpawnedApp } from './support/spawned-app';
import { createTestEnvironment, TestEnvironment } from './support/test-app';
import { TEST_REDIS_URL } from './support/test-infra';

/**
 * API keys, webhook secrets and the encryption key never appear in the logs (at trace level), in
 * an error body, in a list or get response, in the database or in Redis. Only the answers that
 * exist to hand a secret over (create and rotate) carry one. Strata runs as a real process so
 * that everything it writes to stdout and stderr is captured.
 */
describe('secrets stay secret', () => {
  let environment: TestEnvironment;
  let strata: SpawnedApp;
  const encryptionKey = randomBytes(32).toString('base64');
  const secrets: Record<string, string> = {};
  const checkedBodies: Array<{ call: string; body: string }> = [];

  beforeAll(async () => {
    environment = await createTestEnvironment({ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', SECRETS_ENCRYPTION_KEY: encryptionKey });
    secrets.admin = environment.env.ADMIN_API_KEY;
    secrets.encryptionKey = encryptionKey;
    strata = await SpawnedApp.start({ ...environment.env, LOG_LEVEL: 'trace' });
  });
  afterAll(async () => {
    await strata?.stop();
    await environment?.teardown();
  });

  /** Calls Strata; the body is checked for secrets unless the call exists to hand one over. */
  async function call(method: string, path: string, options: { key?: string; header?: string; body?: string; handsOverASecret?: boolean } = {}) {
    const headers: Record<string, string> = {};
    if (options.key) headers[options.header ?? 'authorization'] = options.header === 'x-api-key' ? options.key : `Bearer ${options.key}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${strata.url}${path}`, { method, headers, body: options.body });
    const text = await response.text();
    if (!options.handsOverASecret) checkedBodies.push({ call: `${method} ${path.slice(0, 40)} → ${response.status}`, body: text });
    return { status: response.status, json: () => JSON.parse(text) };
  }

  it('keeps every secret out of logs, error bodies, responses, the database and Redis', async () => {
    const admin = secrets.admin;
    const created = await call('POST', '/api/v1/api-keys', {
      key: admin,
      body: JSON.stringify({ name: 'integration', scopes: ['content:read'], tier: 'free' }),
      handsOverASecret: true,
    });
    expect(created.status).toBe(201);
    const { id: keyId, key: firstKey } = created.json();
    secrets.firstKey = firstKey;
    const rotated = await call('POST', `/api/v1/api-keys/${keyId}/rotate`, { key: admin, handsOverASecret: true });
    expect(rotated.status).toBe(200);
    secrets.rotatedKey = rotated.json().key;

    expect((await call('GET', '/api/v1/api-keys', { key: admin })).status).toBe(200);
    expect((await call('GET', `/api/v1/api-keys/${keyId}`, { key: admin })).status).toBe(200);
    expect((await call('POST', '/api/v1/api-keys/verify', { key: admin, body: JSON.stringify({ key: secrets.rotatedKey }) })).status).toBe(200);
    expect((await call('POST', '/api/v1/api-keys/verify', { key: admin, body: JSON.stringify({ key: `${secrets.firstKey}x` }) })).status).toBe(200);

    // Keys used, and misused, in every place a client might put one.
    expect((await call('GET', '/api/v1/pages', { key: secrets.rotatedKey })).status).toBe(200);
    expect((await call('GET', '/api/v1/pages', { key: secrets.firstKey, header: 'x-api-key' })).status).toBe(200);
    expect((await call('GET', `/api/v1/pages?api_key=${secrets.rotatedKey}&q=${secrets.admin}`)).status).toBe(401);
    expect((await call('GET', `/api/v1/pages/${secrets.rotatedKey}`, { key: secrets.rotatedKey })).status).toBe(400);
    expect((await call('POST', '/api/v1/pages', { key: admin, body: `{"title": "${secrets.rotatedKey}"` })).status).toBe(400);
    expect((await call('POST', '/api/v1/pages', { key: admin, body: JSON.stringify({ slug: 'x', title: 'x', apiKey: secrets.rotatedKey }) })).status).toBe(400);
    expect((await call('POST', '/api/v1/pages', { key: admin, body: JSON.stringify({ slug: secrets.rotatedKey, title: 1 }) })).status).toBe(400);
    // The key with its last character changed (to another one: a key ending in Z stayed valid with a Z, one run in ~60).
    const tampered = `${secrets.rotatedKey.slice(0, -1)}${secrets.rotatedKey.endsWith('Z') ? 'Y' : 'Z'}`;
    expect((await call('GET', '/api/v1/pages', { key: tampered })).status).toBe(401);
    expect((await call('GET', '/api/v1/webhooks', { key: secrets.rotatedKey })).status).toBe(403);

    const endpoint = await call('POST', '/api/v1/webhooks', {
      key: admin,
      body: JSON.stringify({ url: 'http://127.0.0.1:9/hook', events: ['*'] }),
      handsOverASecret: true,
    });
    expect(endpoint.status).toBe(201);
    const { id: endpointId, secret: firstSecret } = endpoint.json();
    secrets.firstWebhookSecret = firstSecret;
    const rotatedSecret = await call('POST', `/api/v1/webhooks/${endpointId}/rotate-secret`, { key: admin, handsOverASecret: true });
    expect(rotatedSecret.status).toBe(200);
    secrets.rotatedWebhookSecret = rotatedSecret.json().secret;
    expect((await call('GET', '/api/v1/webhooks', { key: admin })).status).toBe(200);
    expect((await call('GET', `/api/v1/webhooks/${endpointId}`, { key: admin })).status).toBe(200);
    expect((await call('POST', `/api/v1/webhooks/${endpointId}/test`, { key: admin })).status).toBe(202);
    expect((await call('PATCH', `/api/v1/api-keys/${keyId}/revoke`, { key: admin })).status).toBe(200);
    expect((await call('GET', '/api/v1/pages', { key: secrets.rotatedKey })).status).toBe(401);

    for (const [name, value] of Object.entries(secrets)) expect([name, value?.length > 20]).toEqual([name, true]);
    const leaks = (where: string, text: string) =>
      Object.entries(secrets)
        .filter(([, value]) => text.includes(value))
        .map(([name]) => `${name} in ${where}`);

    // The logs: the process is stopped first so that everything it buffered is written.
    strata.kill('SIGTERM');
    await strata.exited;
    const logs = strata.allOutput();
    expect(logs).toMatch(/"msg":"request completed"/); // trace level really captured request lines
    const found = [...leaks('the logs', logs), ...checkedBodies.flatMap(({ call, body }) => leaks(`the answer to ${call}`, body))];

    // The database, every table of it as text.
    const database = new Client({ connectionString: environment.env.DATABASE_URL });
    await database.connect();
    try {
      const tables = (await database.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`)).rows.map((row) => row.tablename as string);
      expect(tables).toEqual(expect.arrayContaining(['api_keys', 'webhook_endpoints']));
      for (const table of tables) {
        const rows = (await database.query(`SELECT t::text AS row FROM "${table}" t`)).rows.map((row) => row.row as string).join('\n');
        found.push(...leaks(`table ${table}`, rows));
      }
    } finally {
      await database.end();
    }

    // Redis: every value under this run's prefix.
    const redis = new Redis(TEST_REDIS_URL);
    try {
      const prefix = environment.env.REDIS_KEY_PREFIX;
      let cursor = '0';
      let dump = '';
      do {
        const [next, names] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        cursor = next;
        for (const name of names) {
          const type = await redis.type(name);
          const value =
            type === 'string'
              ? await redis.getBuffer(name).then((buffer) => buffer?.toString('latin1'))
              : type === 'hash'
                ? JSON.stringify(await redis.hgetall(name))
                : type === 'list'
                  ? JSON.stringify(await redis.lrange(name, 0, -1))
                  : type === 'set'
                    ? JSON.stringify(await redis.smembers(name))
                    : type === 'zset'
                      ? JSON.stringify(await redis.zrange(name, 0, -1))
                      : type === 'stream'
                        ? JSON.stringify(await redis.xrange(name, '-', '+'))
                        : '';
          dump += `${name}\n${value}\n`;
        }
      } while (cursor !== '0');
      expect(dump.length).toBeGreaterThan(0);
      found.push(...leaks('Redis', dump));
    } finally {
      redis.disconnect();
    }

    expect(found).toEqual([]);
  });
});
