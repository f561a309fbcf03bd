'use strict';

const { randomBytes } = require('node:crypto');
const { createHistogram } = require('node:perf_hooks');
const { join } = require('node:path');
const { deleteRedisPrefix } = require('../lib/infra');
const { measure } = require('../lib/load');
const { createPage, startStrata } = require('../lib/strata');
const bareFastify = require('./bare-fastify');

const ADMIN_KEY = `sk_${randomBytes(30).toString('base64').replace(/[^A-Za-z0-9]/g, '').padEnd(40, 'a').slice(0, 40)}`;
const ADMIN = { authorization: `Bearer ${ADMIN_KEY}` };
/** `premium` keeps its per-minute burst (1 200); its day quota is raised so repeated runs never reach it. */
const TIERS = JSON.stringify({ premium: { perMinute: 1200, perDay: 1_000_000_000 }, accuracy: { perMinute: 200, perDay: 1_000_000 } });
/** Enough premium keys that the load stays under each key's 1 200 per minute: many clients, as in production. */
const LOAD_KEYS = 600;
const env = { ADMIN_API_KEY: ADMIN_KEY, RATE_LIMIT_TIERS: TIERS };
const ACCURACY_REQUESTS = 1000;
const ISOLATED_CALLS = 5000;

async function call(url, init = {}) {
  const response = await fetch(url, { ...init, headers: { 'content-type': 'application/json', ...ADMIN, ...init.headers } });
  const text = await response.text();
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${url} answered ${response.status}: ${text.slice(0, 200)}`);
  return JSON.parse(text);
}

const createKey = (baseUrl, tier) => call(`${baseUrl}/api/v1/api-keys`, { method: 'POST', body: JSON.stringify({ name: `bench ${tier}`, scopes: ['content:read'], tier }) });

const timings = {};
const ms = (histogram, p) => histogram.percentile(p) / 1e6;

/**
 * Sends each request with the next of `authorizations`. Both page-read scenarios load through this,
 * so the load generator does the same work for each and the difference is the server's.
 */
function rotating(url, authorizations) {
  let next = 0;
  const setupRequest = (request) => ({ ...request, headers: { ...request.headers, authorization: authorizations[next++ % authorizations.length] } });
  return { url, requests: [{ method: 'GET', setupRequest }] };
}

/** Read from the same page by the same route, so the two p99s differ only by the access guard. */
async function pageRoute(ctx, key, options) {
  const api = await ctx.shared(key, () => startStrata(ctx.settings, { env, ...options }));
  const page = await createPage(api.url, { slug: `auth-${Date.now().toString(36)}`, title: 'Auth bench', body: 'x'.repeat(1000) }, ADMIN);
  return { api, url: `${api.url}/api/v1/pages/${page.id}` };
}

module.exports = {
  name: 'auth',
  description:
    'What API-key auth and tiered rate limiting cost: the same page read with the access guard switched off and on (a `bench`-tier key: ' +
    'cached key lookup, one Lua call to Redis, scope check, usage counting), the limiter call alone, and its accuracy across two instances.',
  scenarios: [
    bareFastify,
    {
      name: 'Strata GET /api/v1/pages/{id}, access guard off',
      description: 'The same build with the access checks switched off: AccessGuard.canActivate and AccessControl.admitFromMemory admit everyone (bench/servers/strata-without-access-guard.js).',
      async drive(ctx) {
        const { url } = await pageRoute(ctx, 'no-guard', { name: 'Strata without access guard', script: join(__dirname, '..', 'servers', 'strata-without-access-guard.js') });
        // Ignored by this variant, sent anyway so both scenarios build the same requests.
        const unchecked = Array.from({ length: LOAD_KEYS }, () => `Bearer sk_${randomBytes(20).toString('hex')}`);
        const result = await measure(rotating(url, unchecked), ctx.settings);
        timings.withoutGuard = result;
        return result;
      },
    },
    {
      name: 'Strata GET /api/v1/pages/{id}, API key + rate limiting',
      description: `${LOAD_KEYS} premium-tier keys with \`content:read\`, used in turn: every request is authenticated (cached lookup) and counted in Redis (one Lua call), none is refused.`,
      async drive(ctx) {
        const { api, url } = await pageRoute(ctx, 'strata', { name: 'Strata' });
        const keys = [];
        for (let i = 0; i < LOAD_KEYS; i += 50) {
          keys.push(...(await Promise.all(Array.from({ length: 50 }, () => createKey(api.url, 'premium')))).map(({ key }) => `Bearer ${key}`));
        }
        const result = await measure(rotating(url, keys), ctx.settings);
        timings.withGuard = result;
        return result;
      },
      async findings() {
        const { withGuard, withoutGuard } = timings;
        if (!withGuard || !withoutGuard) return [];
        return [
          `added by auth + rate limiting: p50 ${(withGuard.p50 - withoutGuard.p50).toFixed(3)} ms, p99 ${(withGuard.p99 - withoutGuard.p99).toFixed(3)} ms ` +
            `(${Math.round(withGuard.rps)} vs ${Math.round(withoutGuard.rps)} req/s)`,
        ];
      },
    },
    {
      name: 'Rate-limit storage call alone (one Lua script, sequential)',
      description: `${ISOLATED_CALLS} sequential RedisThrottlerStorage.consume() calls from this process against the run's Redis: the limiter's own cost per request.`,
      async drive(ctx) {
        const dist = join(__dirname, '..', '..', 'dist', 'libs');
        const { loadConfig, RedisConnections, MetricsService } = require(join(dist, 'core', 'src'));
        const { RedisThrottlerStorage } = require(join(dist, 'rate-limit', 'src', 'redis-throttler.storage'));
        const prefix = `bench:auth-${randomBytes(4).toString('hex')}:`;
        const connections = new RedisConnections(loadConfig({ REDIS_URL: ctx.settings.redisUrl, REDIS_KEY_PREFIX: prefix }));
        try {
          await new Promise((resolve) => connections.client.once('ready', resolve));
          const storage = new RedisThrottlerStorage(connections, new MetricsService());
          // The storage opens its own connection; calls before it is ready would be counted in memory.
          await new Promise((resolve) => setTimeout(resolve, 200));
          const limits = { perMinute: 1_000_000, perDay: 1_000_000 };
          const latency = createHistogram();
          const startedAt = process.hrtime.bigint();
          for (let i = 0; i < ISOLATED_CALLS; i++) {
            const before = process.hrtime.bigint();
            const result = await storage.consume(`key:bench-${i % 50}`, limits, 1);
            latency.record(Number(process.hrtime.bigint() - before));
            if (!result.allowed) throw new Error('the limiter refused a request below its limit');
          }
          const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
          timings.isolatedP99 = ms(latency, 99);
          return { rps: ISOLATED_CALLS / seconds, p50: ms(latency, 50), p99: ms(latency, 99), requests: ISOLATED_CALLS, errors: 0, timeouts: 0, non2xx: 0, statusCodes: { 200: ISOLATED_CALLS } };
        } finally {
          await connections.onApplicationShutdown();
          await deleteRedisPrefix(ctx.settings.redisUrl, prefix);
        }
      },
      async findings() {
        return [`limiter p99 ${timings.isolatedP99.toFixed(3)} ms per call (target ≤ 0.3 ms): ${timings.isolatedP99 <= 0.3 ? 'met' : 'NOT met'}`];
      },
    },
    {
      name: `Limiter accuracy: ${ACCURACY_REQUESTS} concurrent requests, 2 instances, limit 200/min`,
      description: 'One `accuracy`-tier key (200 per minute); the requests alternate between two instances on one Redis. Exactly 200 must succeed, the rest get 429.',
      async drive(ctx) {
        const first = await ctx.shared('strata', () => startStrata(ctx.settings, { env, name: 'Strata' }));
        // A second instance on the first one's database and Redis prefix (its own fresh ones stay unused).
        const twin = await ctx.scoped(() =>
          startStrata(ctx.settings, { env: { ...env, DATABASE_URL: first.databaseUrl, REDIS_KEY_PREFIX: first.redisPrefix }, name: 'Strata (second instance)' }),
        );
        const { key } = await createKey(first.url, 'accuracy');
        const page = await createPage(first.url, { slug: `accuracy-${Date.now().toString(36)}`, title: 'Accuracy' }, ADMIN);
        const latency = createHistogram();
        const statusCodes = {};
        const startedAt = process.hrtime.bigint();
        await Promise.all(
          Array.from({ length: ACCURACY_REQUESTS }, async (_, i) => {
            const before = process.hrtime.bigint();
            const response = await fetch(`${(i % 2 ? first : twin).url}/api/v1/pages/${page.id}`, { headers: { authorization: `Bearer ${key}` } });
            await response.arrayBuffer();
            latency.record(Number(process.hrtime.bigint() - before));
            statusCodes[response.status] = (statusCodes[response.status] ?? 0) + 1;
          }),
        );
        const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
        timings.accuracy = statusCodes;
        if (statusCodes[200] !== 200 || statusCodes[429] !== ACCURACY_REQUESTS - 200) {
          throw new Error(`expected 200 × 200 and ${ACCURACY_REQUESTS - 200} × 429, got ${JSON.stringify(statusCodes)}`);
        }
        return { rps: ACCURACY_REQUESTS / seconds, p50: ms(latency, 50), p99: ms(latency, 99), requests: ACCURACY_REQUESTS, errors: 0, timeouts: 0, non2xx: 0, statusCodes };
      },
      async findings() {
        return [`allowed ${timings.accuracy?.[200] ?? 0} of ${ACCURACY_REQUESTS} (limit 200), refused ${timings.accuracy?.[429] ?? 0} with 429`];
      },
    },
  ],
};
