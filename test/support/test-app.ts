import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { generateApiKey } from '@strata/api-keys';
import { AppConfig, loadConfig } from '@strata/core';
import { createHttpApp } from '../../apps/api/create-http-app';
import { checkExchanges, formatReport } from './openapi-conformance';
import { ResponseRecorder } from './response-recorder';
import { createTestDatabase, deleteRedisPrefix, dropTestDatabase, TEST_REDIS_URL, uniqueSuffix } from './test-infra';

/** supertest's verbs, with default headers (the test environment's credentials) applied. */
export interface ApiClient {
  get(path: string): request.Test;
  post(path: string): request.Test;
  put(path: string): request.Test;
  patch(path: string): request.Test;
  delete(path: string): request.Test;
  head(path: string): request.Test;
  options(path: string): request.Test;
}

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  /** Node's HTTP server, for supertest without any default header. */
  server: ReturnType<NestFastifyApplication['getHttpServer']>;
  /** Requests as a fully authorised client (once API keys exist); `headers` adds or overrides. */
  api(headers?: Record<string, string>): ApiClient;
  close(): Promise<void>;
}

export function apiClient(server: TestApp['server'], headers: Record<string, string>): ApiClient {
  const verb = (method: 'get' | 'post' | 'put' | 'patch' | 'delete' | 'head' | 'options') => (path: string) => request(server)[method](path).set(headers);
  return { get: verb('get'), post: verb('post'), put: verb('put'), patch: verb('patch'), delete: verb('delete'), head: verb('head'), options: verb('options') };
}

export interface TestEnvironment {
  databaseName: string;
  env: Record<string, string>;
  /** Boots one more app instance on this environment (same database and Redis prefix). */
  start(overrides?: Record<string, string>): Promise<TestApp>;
  /**
   * Closes every instance it started, drops the database and deletes the Redis keys; then fails
   * if any response an instance sent does not match the OpenAPI document it serves.
   */
  teardown(): Promise<void>;
}

/**
 * One test file's world: its own freshly created database, its own Redis key prefix and data
 * directory, so runs never collide. Instances are the real app (migrations run at boot).
 */
export async function createTestEnvironment(baseEnv: Record<string, string> = {}): Promise<TestEnvironment> {
  const database = await createTestDatabase();
  const dataDir = await mkdtemp(join(tmpdir(), 'strata-test-'));
  const prefix = `strata-test:${uniqueSuffix()}:`;
  const env: Record<string, string> = {
    DATABASE_URL: database.url,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    DATA_DIR: dataDir,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    EMBEDDED_SERVICES: 'false',
    // Every environment has an admin key (all scopes, tier `unlimited`), sent by `api()`.
    ADMIN_API_KEY: generateApiKey(),
    ...baseEnv,
  };
  const started: TestApp[] = [];
  // Every response of every instance, held against the document at teardown (openapi-conformance.ts).
  const recorded: Array<{ recorder: ResponseRecorder; document: string }> = [];
  const defaultHeaders: Record<string, string> = env.ADMIN_API_KEY ? { authorization: `Bearer ${env.ADMIN_API_KEY}` } : {};

  return {
    databaseName: database.name,
    env,
    async start(overrides = {}) {
      const config = loadConfig({ ...env, ...overrides });
      const app = await createHttpApp(config);
      const recorder = new ResponseRecorder();
      recorder.watch(app.getHttpServer());
      try {
        await app.init();
        const fastify = app.getHttpAdapter().getInstance();
        await fastify.ready();
        // inject() bypasses the HTTP server, so this read is not itself recorded.
        recorded.push({ recorder, document: (await fastify.inject({ method: 'GET', url: '/docs-json' })).body });
      } catch (error) {
        // A boot that fails (a test of a start-up check) still opened pools and timers.
        await app.close().catch(() => undefined);
        throw error;
      }
      let closed = false;
      const instance: TestApp = {
        app,
        config,
        server: app.getHttpServer(),
        api: (headers = {}) => apiClient(app.getHttpServer(), { ...defaultHeaders, ...headers }),
        async close() {
          if (closed) return;
          closed = true;
          await app.close();
        },
      };
      started.push(instance);
      return instance;
    },
    async teardown() {
      await Promise.all(started.map((instance) => instance.close()));
      await dropTestDatabase(database.name);
      await deleteRedisPrefix(prefix);
      await rm(dataDir, { recursive: true, force: true });
      const violations = [];
      let checked = 0;
      for (const { recorder, document } of recorded) {
        const report = await checkExchanges(document, recorder.exchanges);
        checked += report.checked;
        violations.push(...report.violations);
      }
      if (violations.length) throw new Error(formatReport({ checked, outside: {}, violations }));
    },
  };
}
