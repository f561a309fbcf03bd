'use strict';

const { randomBytes } = require('node:crypto');
const { createHistogram } = require('node:perf_hooks');
const { join } = require('node:path');
const { deleteRedisPrefix } = require('../lib/infra');
const { measure } = require('../lib/load');
const { createPage, startStrata } = require('../lib/strata');
const bareFastify = require('./bare-fastify');

const ADMIN_KEY = `sk_${randomBytes(30)
  .toString('base64')
  .replace(/[^A-Za-z0-9]/g, '')
  .padEnd(40, 'a')
  .slice(0, 40)}`;
const ADMIN = { authorization: `Bearer ${ADMIN_KEY}` };
/** `premium` keeps its per-minute burst (1 200); its day quota is raised so repeated runs never reach it. */
const TIERS = JSON.stringify({
  premium: { perMinute: 1200, perDay: 1_000_000_000 },
  accuracy: { perMinute: 200, perDay: 1_000_000 },
  'accuracy-large': { perMinute: 2000, perDay: 1_000_000 },
});
/** Enough premium keys that the load stays under each key's 1 200 per minute: many clients, as in production. */
const LOAD_KEYS = 600;
const env = { ADMIN_API_KEY: ADMIN_KEY, RATE_LIMIT_TIERS: TIERS };
const ACCURACY_REQUESTS = 1000;
const ISOLATED_CALLS = 5000;
/** Below what either variant sustains, so neither queues. */
const FIXED_RATE = 1000;
const FIXED_RATE_CONNECTIONS = 10;

async function call(url, init = {}) {
  const response = await fetch(url, { ...init, headers: { 'content-type': 'application/json', ...ADMIN, ...init.headers } });
  const text = await response.text();
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${url} answered ${response.status}: ${text.slice(0, 200)}`);
  return JSON.parse(text);
}

const createKey = (baseUrl, tier) =>
  call(`${baseUrl}/api/v1/api-keys`, { method: 'POST', body: JSON.stringify({ name: `bench ${tier}`, scopes: ['content:read'], tier }) });

const timings = {};
const ms = (histogram, p) => histogram.percentile(p) / 1e6;

/**
 * Sends each request with the next of `authorizations`. Both page-read scenarios load through this,
 * so the load generator does the same work for each and the difference is the server's.
 */
function rotating({ url, serverPid }, authorizations) {
  let next = 0;
  const setupRequest = (request) => ({ ...request, headers: { ...request.headers, authorization: authorizations[next++ % authorizations.length] } });
  return { url, serverPid, requests: [{ method: 'GET', setupRequest }] };
}

/** Read from the same page by the same route, so the two p99s differ only by the access guard. */
async function pageRoute(ctx, key, options) {
  const api = await ctx.shared(key, () => startStrata(ctx.settings, { env, ...options }));
  const page = await createPage(api.url, { slug: `auth-${Date.now().toString(36)}`, title: 'Auth bench', body: 'x'.repeat(1000) }, ADMIN);
  return { api, url: `${api.url}/api/v1/pages/${page.id}`, serverPid: api.pid };
}

/** ISOLATED_CALLS awaited one after another, each timed: the scenario result shape, in ms. */
async function timeSequentialCalls(call) {
  const latency = createHistogram();
  const startedAt = process.hrtime.bigint();
  for (let i = 0; i < ISOLATED_CALLS; i++) {
    const before = process.hrtime.bigint();
    await call(i);
    latency.record(Number(process.hrtime.bigint() - before));
  }
  const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
  return {
    rps: ISOLATED_CALLS / seconds,
    p50: ms(latency, 50),
    p99: ms(latency, 99),
    requests: ISOLATED_CALLS,
    errors: 0,
    timeouts: 0,
    non2xx: 0,
    statusCodes: { 200: ISOLATED_CALLS },
  };
}

/** The floor under any limiter that counts in Redis: one PING round trip, the same way the calls below are timed. */
function redisRoundTrip() {
  return {
    name: 'Redis PING alone (sequential round trips)',
    description: `${ISOLATED_CALLS} sequential PINGs from this process to the run's Redis over ioredis: the round trip that a limiter counting each request in Redis cannot go below.`,
    async drive(ctx) {
      const Redis = require('ioredis');
      const redis = new Redis(ctx.settings.redisUrl);
      try {
        await redis.ping();
        const result = await timeSequentialCalls(() => redis.ping());
        timings.ping = result.p99;
        return result;
      } finally {
        redis.disconnect();
      }
    },
    async findings() {
      return [`Redis round trip p99 ${timings.ping.toFixed(3)} ms on this machine`];
    },
  };
}

/**
 * The limiter's own cost per call: ISOLATED_CALLS sequential RedisThrottlerStorage.consume()
 * calls from this process against the run's Redis, over 50 subjects.
 */
function isolatedLimiterCalls({ name, limits, how, key }) {
  return {
    name,
    description: `${ISOLATED_CALLS} sequential RedisThrottlerStorage.consume() calls from this process against the run's Redis, over 50 subjects; ${how}.`,
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
        const result = await timeSequentialCalls(async (i) => {
          if (!(await storage.consume(`key:bench-${i % 50}`, limits, 1)).allowed) throw new Error('the limiter refused a request below its limit');
        });
        timings[key] = result.p99;
        return result;
      } finally {
        await connections.onApplicationShutdown();
        await deleteRedisPrefix(ctx.settings.redisUrl, prefix);
      }
    },
    async findings() {
      return [`limiter p99 ${timings[key].toFixed(3)} ms per call (target ≤ 0.3 ms): ${timings[key] <= 0.3 ? 'met' : 'NOT met'}`];
    },
  };
}

/**
 * The same two page reads at a fixed rate well below saturation, so latency is the work per
 * request rather than time queued behind other requests: the p99 that auth + rate limiting add.
 */
function fixedRatePair() {
  const target = (route, authorizations) => ({ ...rotating(route, authorizations), connections: FIXED_RATE_CONNECTIONS, overallRate: FIXED_RATE });
  const settings = (ctx) => ({ ...ctx.settings, connections: FIXED_RATE_CONNECTIONS });
  return [
    {
      name: `Strata GET /api/v1/pages/{id}, access guard off, fixed ${FIXED_RATE.toLocaleString('en-US')} req/s`,
      description: `The guard-off variant again, at a fixed ${FIXED_RATE} requests per second over ${FIXED_RATE_CONNECTIONS} connections.`,
      async drive(ctx) {
        const route = await pageRoute(ctx, 'no-guard', {
          name: 'Strata without access guard',
          script: join(__dirname, '..', 'servers', 'strata-without-access-guard.js'),
        });
        const unchecked = Array.from({ length: LOAD_KEYS }, () => `Bearer sk_${randomBytes(20).toString('hex')}`);
        return (timings.fixedWithout = await measure(target(route, unchecked), settings(ctx)));
      },
    },
    {
      name: `Strata GET /api/v1/pages/{id}, API key + rate limiting, fixed ${FIXED_RATE.toLocaleString('en-US')} req/s`,
      description: `The ${LOAD_KEYS} premium keys again, at the same fixed rate.`,
      async drive(ctx) {
        const route = await pageRoute(ctx, 'strata', { name: 'Strata' });
        return (timings.fixedWith = await measure(target(route, timings.premiumKeys), settings(ctx)));
      },
      async findings() {
        const { fixedWith, fixedWithout } = timings;
        const added = fixedWith.p99 - fixedWithout.p99;
        return [
          `added by auth + rate limiting at ${FIXED_RATE} req/s: p50 ${(fixedWith.p50 - fixedWithout.p50).toFixed(3)} ms, p99 ${added.toFixed(3)} ms (target ≤ 0.3 ms): ${added <= 0.3 ? 'met' : 'NOT met'}`,
        ];
      },
    },
  ];
}

/**
 * Concurrent requests of one key alternating between two instances on one Redis: never more
 * than `limit` may succeed, and (with `maxUnspent` 0) exactly `limit`.
 */
function limiterAccuracy({ tier, limit, requests, maxUnspent }) {
  const exactly = maxUnspent === 0;
  return {
    name: `Limiter accuracy: ${requests.toLocaleString('en-US')} concurrent requests, 2 instances, limit ${limit.toLocaleString('en-US')}/min`,
    description: exactly
      ? `One \`${tier}\`-tier key (${limit} per minute, too few to lease); the requests alternate between two instances on one Redis. Exactly ${limit} must succeed, the rest get 429.`
      : `One \`${tier}\`-tier key (${limit} per minute: quota is leased); the requests alternate between two instances on one Redis. At most ${limit} may succeed, and no fewer than ${limit - maxUnspent} (one unspent lease per instance).`,
    async drive(ctx) {
      const first = await ctx.shared('strata', () => startStrata(ctx.settings, { env, name: 'Strata' }));
      // A second instance on the first one's database and Redis prefix (its own fresh ones stay unused).
      const twin = await ctx.scoped(() =>
        startStrata(ctx.settings, { env: { ...env, DATABASE_URL: first.databaseUrl, REDIS_KEY_PREFIX: first.redisPrefix }, name: 'Strata (second instance)' }),
      );
      const { key } = await createKey(first.url, tier);
      const page = await createPage(first.url, { slug: `accuracy-${tier}-${Date.now().toString(36)}`, title: 'Accuracy' }, ADMIN);
      const latency = createHistogram();
      const statusCodes = {};
      const startedAt = process.hrtime.bigint();
      await Promise.all(
        Array.from({ length: requests }, async (_, i) => {
          const before = process.hrtime.bigint();
          const response = await fetch(`${(i % 2 ? first : twin).url}/api/v1/pages/${page.id}`, { headers: { authorization: `Bearer ${key}` } });
          await response.arrayBuffer();
          latency.record(Number(process.hrtime.bigint() - before));
          statusCodes[response.status] = (statusCodes[response.status] ?? 0) + 1;
        }),
      );
      const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
      timings[tier] = statusCodes;
      const allowed = statusCodes[200] ?? 0;
      if (allowed > limit || allowed < limit - maxUnspent || allowed + (statusCodes[429] ?? 0) !== requests) {
        throw new Error(`expected ${exactly ? limit : `${limit - maxUnspent}..${limit}`} × 200 and the rest 429, got ${JSON.stringify(statusCodes)}`);
      }
      return { rps: requests / seconds, p50: ms(latency, 50), p99: ms(latency, 99), requests, errors: 0, timeouts: 0, non2xx: 0, statusCodes };
    },
    async findings() {
      return [`allowed ${timings[tier]?.[200] ?? 0} of ${requests} (limit ${limit}), refused ${timings[tier]?.[429] ?? 0} with 429`];
    },
  };
}

module.exports = {
  name: 'auth',
  description:
    'What API-key auth and tiered rate limiting cost: the same page read with the access guard switched off and on (600 premium keys: ' +
    'cached key lookup, the limiter, scope check, usage counting), at saturation and at a fixed rate; the limiter call alone, with and without ' +
    'quota leases; and its accuracy across two instances, for a tier counted request by request and for one that leases.',
  scenarios: [
    bareFastify,
    {
      name: 'Strata GET /api/v1/pages/{id}, access guard off',
      description:
        'The same build with the access checks switched off: AccessGuard.canActivate and AccessControl.admitFromMemory admit everyone (bench/servers/strata-without-access-guard.js).',
      async drive(ctx) {
        const route = await pageRoute(ctx, 'no-guard', {
          name: 'Strata without access guard',
          script: join(__dirname, '..', 'servers', 'strata-without-access-guard.js'),
        });
        // Ignored by this variant, sent anyway so both scenarios build the same requests.
        const unchecked = Array.from({ length: LOAD_KEYS }, () => `Bearer sk_${randomBytes(20).toString('hex')}`);
        const result = await measure(rotating(route, unchecked), ctx.settings);
        timings.withoutGuard = result;
        return result;
      },
    },
    {
      name: 'Strata GET /api/v1/pages/{id}, API key + rate limiting',
      description: `${LOAD_KEYS} premium-tier keys with \`content:read\`, used in turn: every request is authenticated (cached lookup) and counted (premium, 1 200 per minute, leases quota: one Lua call to Redis per lease, sized to each key's demand), none is refused.`,
      async drive(ctx) {
        const route = await pageRoute(ctx, 'strata', { name: 'Strata' });
        const { api } = route;
        const keys = [];
        for (let i = 0; i < LOAD_KEYS; i += 50) {
          keys.push(...(await Promise.all(Array.from({ length: 50 }, () => createKey(api.url, 'premium')))).map(({ key }) => `Bearer ${key}`));
        }
        timings.premiumKeys = keys;
        const result = await measure(rotating(route, keys), ctx.settings);
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
    redisRoundTrip(),
    isolatedLimiterCalls({
      name: 'Rate-limit storage call alone, tier under 1 000/min (one Lua script per call, sequential)',
      limits: { perMinute: 999, perDay: 1_000_000 },
      how: 'a tier too small to lease (999 per minute): every call is one Lua script round trip to Redis',
      key: 'isolatedScript',
    }),
    isolatedLimiterCalls({
      name: 'Rate-limit storage call alone, busy key of a large tier (leases, sequential)',
      limits: { perMinute: 1_000_000, perDay: 1_000_000 },
      how: 'a large tier (1 000 000 per minute): most calls are paid from a quota lease in process, one Lua call per lease',
      key: 'isolatedLease',
    }),
    ...fixedRatePair(),
    limiterAccuracy({ tier: 'accuracy', limit: 200, requests: ACCURACY_REQUESTS, maxUnspent: 0 }),
    // A tier that leases: at most one lease (1 % of the limit) per instance may end unspent.
    limiterAccuracy({ tier: 'accuracy-large', limit: 2000, requests: 2600, maxUnspent: 2 * 20 }),
  ],
};
