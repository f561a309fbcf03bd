import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { loadConfig, resolveServices, StartupError } from '@strata/core';
import { findRedisServer, NO_REDIS_SERVER, startRedisChild } from '../libs/core/src/embedded/redis-child';
import { TEST_POSTGRES_ADMIN_URL } from './support/test-infra';

/**
 * The embedded defaults of `npm start` (PRODUCT.md §1), with the "local" addresses pointed at
 * closed ports so the fallbacks run here even though CI has PostgreSQL and Redis on the
 * default ports. (Embedded PostgreSQL itself is an ESM package that jest cannot load; it is
 * exercised by starting the built app, see the closing notes of the foundation issue.)
 */
describe('embedded services', () => {
  const closed = { postgres: { host: '127.0.0.1', port: 1 }, redis: { host: '127.0.0.1', port: 2 } };
  let dataDir: string;
  const silent = () => undefined;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'strata-embedded-'));
  });
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  it('starts redis-server from PATH as a child when REDIS_URL is unset and none answers, and stops it', async () => {
    const config = loadConfig({ DATABASE_URL: TEST_POSTGRES_ADMIN_URL, DATA_DIR: dataDir });
    const lines: string[] = [];
    const services = await resolveServices(config, (line) => lines.push(line), closed);
    try {
      expect(services.config.database.url).toBe(TEST_POSTGRES_ADMIN_URL);
      expect(services.config.redis.url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
      const redis = new Redis(services.config.redis.url!, { maxRetriesPerRequest: 1 });
      await expect(redis.ping()).resolves.toBe('PONG');
      redis.disconnect();
      expect(lines.join('\n')).toMatch(/started redis-server as a child process/);
    } finally {
      await services.stop();
    }
    const after = new Redis(services.config.redis.url!, { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
    await expect(after.connect()).rejects.toThrow();
    after.disconnect();
  });

  it('uses configured URLs as given, starting nothing', async () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://u@db.invalid/x', REDIS_URL: 'redis://cache.invalid:6379', DATA_DIR: dataDir });
    const services = await resolveServices(config, silent, closed);
    expect(services.config.database.url).toBe('postgres://u@db.invalid/x');
    expect(services.config.redis.url).toBe('redis://cache.invalid:6379');
    await services.stop();
  });

  it('says in one line what is missing when embedding is off', async () => {
    const config = loadConfig({ DATABASE_URL: TEST_POSTGRES_ADMIN_URL, EMBEDDED_SERVICES: 'false', DATA_DIR: dataDir });
    await expect(resolveServices(config, silent, closed)).rejects.toThrow(StartupError);
    await expect(resolveServices(config, silent, closed)).rejects.toThrow(/^No Redis: REDIS_URL is unset/);
  });

  it('says how to get Redis when there is no redis-server on PATH', async () => {
    expect(findRedisServer('/nonexistent:/also-not-here')).toBeUndefined();
    await expect(startRedisChild(dataDir, findRedisServer('/nonexistent'))).rejects.toThrow(NO_REDIS_SERVER);
    expect(NO_REDIS_SERVER).toMatch(/apt-get install redis-server/);
    expect(NO_REDIS_SERVER).toMatch(/brew install redis/);
    expect(NO_REDIS_SERVER).toMatch(/docker compose up redis/);
    expect(NO_REDIS_SERVER).not.toMatch(/\n/);
  });
});
