'use strict';

const { startSameResponseFloor } = require('../lib/same-response-floor');
const { createPage, startStrata } = require('../lib/strata');
const bareFastify = require('./bare-fastify');

const PAGE_BODY = Array.from(
  { length: 6 },
  (_, index) => `Paragraph ${index + 1}. Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore.`,
).join('\n');
/**
 * The page the cached-read scenarios read: about 1.4 KB of JSON, above the 1 KB below which
 * responses are not compressed (with the shorter PAGE_BODY, 0.9 KB, `accept-encoding` changes nothing).
 */
const CACHED_PAGE_BODY = `${PAGE_BODY}\n${PAGE_BODY.split('\n').slice(0, 4).join('\n')}`;
const ZIPF_PAGES = 10_000;
const ZIPF_S = 1.0;
const ZIPF_READ_SHARE = 0.95;
const STAMPEDE_READERS = 1000;
/** Sets the benchmarks up (creates pages and keys, reads stats): the admin key, tier `unlimited`. */
const ADMIN_KEY = `sk_bench${'0123456789abcdefghijklmnopqrstuvwxyz'.repeat(1)}`;
const AUTH = { authorization: `Bearer ${ADMIN_KEY}` };
/**
 * Measured reads carry a key of a rate-limited tier, as the product's targets ask (key auth and rate
 * limiting on the measured path: one Lua call to Redis per request). Its limits are set out
 * of reach so that no request of the load is refused.
 */
const LOAD_TIER = 'load';
const strataEnv = { ADMIN_API_KEY: ADMIN_KEY, RATE_LIMIT_TIERS: JSON.stringify({ [LOAD_TIER]: { perMinute: 1_000_000_000, perDay: 1_000_000_000 } }) };

/** How the cached reads are asked for: as curl sends them by default, and as a browser does. */
const IDENTITY = { label: 'no accept-encoding', acceptEncoding: undefined };
const BROWSER = { label: 'accept-encoding: br, gzip', acceptEncoding: 'br, gzip' };

const strata = (ctx) => ctx.shared('strata', () => startStrata(ctx.settings, { env: strataEnv }));
const cacheManagerVariant = (ctx) =>
  ctx.shared('strata-cache-manager', () =>
    startStrata(ctx.settings, { env: strataEnv, name: 'Strata + @nestjs/cache-manager', script: require.resolve('../servers/strata-cache-manager') }),
  );

async function json(url, init) {
  const response = await fetch(url, { ...init, headers: { ...AUTH, ...init?.headers } });
  const text = await response.text();
  if (!response.ok) throw new Error(`${init?.method ?? 'GET'} ${url} answered ${response.status}: ${text.slice(0, 200)}`);
  return text ? JSON.parse(text) : undefined;
}

/** Page ids created in batches of 100 (one transaction each). */
async function createPages(baseUrl, count, slugPrefix = 'zipf') {
  const ids = [];
  for (let start = 0; start < count; start += 100) {
    const operations = Array.from({ length: Math.min(100, count - start) }, (_, i) => ({
      op: 'create',
      data: { slug: `${slugPrefix}-${start + i}`, title: `Page ${start + i}`, body: PAGE_BODY },
    }));
    const answer = await json(`${baseUrl}/api/v1/pages/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ operations }),
    });
    for (const result of answer.data) ids.push(result.id);
  }
  return ids;
}

/** Draws ranks 0..n-1 with P(rank k) ∝ 1/(k+1)^s, by inverting the cumulative distribution. */
function zipfSampler(n, s) {
  const cumulative = new Float64Array(n);
  let total = 0;
  for (let k = 0; k < n; k++) cumulative[k] = total += 1 / (k + 1) ** s;
  return () => {
    const target = Math.random() * total;
    let low = 0;
    let high = n - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (cumulative[middle] < target) low = middle + 1;
      else high = middle;
    }
    return low;
  };
}

/** A `content:read` key of the load tier, as the `authorization` header to send. */
async function loadKeyHeaders(baseUrl) {
  const { key } = await json(`${baseUrl}/api/v1/api-keys`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bench load', scopes: ['content:read'], tier: LOAD_TIER }),
  });
  return { authorization: `Bearer ${key}` };
}

/** The page the cached-read scenarios read, and a load-tier key to read it with (one per group run). */
const cachedPage = (ctx) =>
  ctx.shared('cached-page', async () => {
    const api = await strata(ctx);
    const page = await createPage(api.url, { slug: `cached-${Date.now().toString(36)}`, title: 'Cached', body: CACHED_PAGE_BODY }, AUTH);
    await json(`${api.url}/api/v1/pages/${page.id}`);
    await createPages(api.url, 20, 'listed');
    const listUrl = `${api.url}/api/v1/pages?limit=20`;
    await json(listUrl);
    return { url: `${api.url}/api/v1/pages/${page.id}`, listUrl, headers: await loadKeyHeaders(api.url), serverPid: api.pid, stop: async () => {} };
  });

/** A second instance of the same Strata (its database and Redis prefix), for cross-instance findings. */
const secondInstance = (ctx, first) =>
  ctx.shared('strata-second', () =>
    startStrata(ctx.settings, {
      env: { ...strataEnv, DATABASE_URL: first.databaseUrl, REDIS_KEY_PREFIX: first.redisPrefix },
      name: 'Strata API (second instance)',
    }),
  );

const statsOf = (baseUrl) => json(`${baseUrl}/api/v1/cache/stats`);
const resetStats = (baseUrl) => json(`${baseUrl}/api/v1/cache/stats/reset`, { method: 'POST' });

/**
 * The floor under any implementation: Fastify with no plugins sending, from memory, the status,
 * headers and body bytes Strata answered for the cached page with `encoding` (recorded just
 * before, raw: a compressed body stays compressed), with nothing computed per request.
 */
function sameResponseScenario(encoding) {
  return {
    name: `bare Fastify sending the same response as Strata, ${encoding.label}`,
    description:
      'The floor under any implementation: Fastify with no plugins sending, from memory, the status, headers and body bytes that Strata answered for the cached page ' +
      `with ${encoding.label} (recorded just before; about 1.3 KB of headers and the page JSON${encoding.acceptEncoding ? ', compressed' : ''}), with nothing computed per request.`,
    async setup(ctx) {
      const { url, headers } = await cachedPage(ctx);
      const requestHeaders = { ...headers, ...(encoding.acceptEncoding ? { 'accept-encoding': encoding.acceptEncoding } : {}) };
      const server = await ctx.scoped(() => startSameResponseFloor(url, requestHeaders, `bare Fastify, same response (${encoding.label})`));
      return { url: `${server.url}/`, headers: requestHeaders, serverPid: server.pid };
    },
  };
}

/** Strata's multi-level cache against bare Fastify and against the usual Nest way of caching. */
module.exports = {
  name: 'cache',
  description:
    'Cached reads: Strata GET /api/v1/pages/{id} served from its L1 cache, the same build with @nestjs/cache-manager on Redis ' +
    `in front instead, and a Zipf workload (${ZIPF_PAGES.toLocaleString('en-US')} pages, s = ${ZIPF_S}, ${ZIPF_READ_SHARE * 100} % reads, 5 % PATCH).`,
  scenarios: [
    bareFastify,
    sameResponseScenario(IDENTITY),
    sameResponseScenario(BROWSER),
    {
      name: 'Strata GET /api/v1/pages/{id} (cached)',
      description:
        `One page read by id after a first read filled the cache, with a \`${LOAD_TIER}\`-tier key (auth and rate limiting on every request). ` +
        `Findings: a cold key read by ${STAMPEDE_READERS} concurrent clients spread over two instances, counted in source loads.`,
      async setup(ctx) {
        const { url, headers, serverPid } = await cachedPage(ctx);
        return { url, headers, serverPid };
      },
      async findings(ctx) {
        const first = await strata(ctx);
        const second = await secondInstance(ctx, first);
        const instances = [first.url, second.url];
        const page = await createPage(first.url, { slug: `stampede-${Date.now().toString(36)}`, title: 'Cold', body: PAGE_BODY }, AUTH);
        const loadsNow = async () => (await Promise.all(instances.map(statsOf))).reduce((sum, stats) => sum + stats.loads, 0);
        // Writing caches the new item; a cold key is what readers find after it is dropped.
        await json(`${first.url}/api/v1/cache/flush`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
        const before = await loadsNow();
        await Promise.all(Array.from({ length: STAMPEDE_READERS }, (_, i) => json(`${instances[i % 2]}/api/v1/pages/${page.id}`)));
        const loads = (await loadsNow()) - before;
        return [`stampede: ${STAMPEDE_READERS} concurrent reads of a cold key across 2 instances caused ${loads} source load(s) (target: exactly 1)`];
      },
    },
    {
      name: `Strata GET /api/v1/pages/{id} (cached), ${BROWSER.label}`,
      description: `The same read as above, sent as a browser sends it (\`accept-encoding: ${BROWSER.acceptEncoding}\`): the body goes out brotli-compressed.`,
      async setup(ctx) {
        const { url, headers, serverPid } = await cachedPage(ctx);
        return { url, headers: { ...headers, 'accept-encoding': BROWSER.acceptEncoding }, serverPid };
      },
    },
    ...[IDENTITY, BROWSER].map((encoding) => ({
      name: `Strata GET /api/v1/pages?limit=20 (cached list), ${encoding.label}`,
      description: 'The first page of the page list (20 pages, about 23 KB of JSON) after a first read filled the cache, same key.',
      async setup(ctx) {
        const { headers, serverPid, listUrl } = await cachedPage(ctx);
        return { url: listUrl, headers: { ...headers, ...(encoding.acceptEncoding ? { 'accept-encoding': encoding.acceptEncoding } : {}) }, serverPid };
      },
    })),
    {
      name: 'Strata GET /api/v1/pages/{id} (cached), API_PROCESSES=2',
      description:
        'The same read from the same build started with API_PROCESSES=2: a supervisor and two HTTP processes on one port (node:cluster), each with its own L1. ' +
        'On this 2-core machine the load generator, PostgreSQL and Redis share the same cores; server CPU counts both HTTP processes.',
      async setup(ctx) {
        const api = await ctx.shared('strata-2-processes', () =>
          startStrata(ctx.settings, { env: { ...strataEnv, API_PROCESSES: '2' }, name: 'Strata API, 2 processes' }),
        );
        // /health/live answered once the first process listened; the second boots after it.
        await new Promise((resolve) => setTimeout(resolve, 10_000));
        const page = await createPage(api.url, { slug: `two-${Date.now().toString(36)}`, title: 'Cached', body: CACHED_PAGE_BODY }, AUTH);
        return { url: `${api.url}/api/v1/pages/${page.id}`, headers: await loadKeyHeaders(api.url), serverPid: api.pid };
      },
    },
    {
      name: 'Strata + @nestjs/cache-manager (Redis) GET /api/v1/pages/{id}',
      description: `The same build and route and the same kind of \`${LOAD_TIER}\`-tier key, with CacheInterceptor (cache-manager 7 + Keyv on Redis) answering every repeated GET, and Strata's early item reads switched off.`,
      async setup(ctx) {
        const api = await cacheManagerVariant(ctx);
        const page = await createPage(api.url, { slug: `cm-${Date.now().toString(36)}`, title: 'Cached', body: CACHED_PAGE_BODY }, AUTH);
        await json(`${api.url}/api/v1/pages/${page.id}`);
        return { url: `${api.url}/api/v1/pages/${page.id}`, headers: await loadKeyHeaders(api.url), serverPid: api.pid };
      },
    },
    {
      name: `Strata Zipf ${ZIPF_PAGES.toLocaleString('en-US')} pages, 95 % reads`,
      description:
        'Reads pick a page by Zipf rank; 5 % of requests PATCH a page (same distribution), invalidating it and the page lists. Every page is read once before the load. Findings: the hit rate over the load.',
      async setup(ctx) {
        const api = await strata(ctx);
        const ids = await createPages(api.url, ZIPF_PAGES);
        const next = zipfSampler(ids.length, ZIPF_S);
        // Steady state: every page has been read once, as a running site's would have been.
        for (let start = 0; start < ids.length; start += 100) {
          await Promise.all(ids.slice(start, start + 100).map((id) => json(`${api.url}/api/v1/pages/${id}`)));
        }
        await resetStats(api.url);
        let writes = 0;
        return {
          // Every request sets its own path; this one is what the pre-flight check reads.
          url: `${api.url}/api/v1/pages/${ids[0]}`,
          headers: AUTH,
          serverPid: api.pid,
          requests: [
            {
              setupRequest(request) {
                const id = ids[next()];
                if (Math.random() < ZIPF_READ_SHARE) return { ...request, method: 'GET', path: `/api/v1/pages/${id}` };
                writes += 1;
                return {
                  ...request,
                  method: 'PATCH',
                  path: `/api/v1/pages/${id}`,
                  headers: { ...AUTH, 'content-type': 'application/json' },
                  body: JSON.stringify({ title: `Edited ${writes}` }),
                };
              },
            },
          ],
        };
      },
      async findings(ctx) {
        const api = await strata(ctx);
        const stats = await statsOf(api.url);
        return [
          `hit rate ${(stats.hitRate * 100).toFixed(1)} % (${stats.l1Hits} L1 + ${stats.l2Hits} L2 hits, ${stats.misses} misses, ${stats.coalesced} coalesced; ` +
            `over the warm-up and measured load, after every page was read once); L1 p99 ${stats.latency.l1.p99} ms, L2 p99 ${stats.latency.l2.p99} ms, loader p99 ${stats.latency.loader.p99} ms`,
        ];
      },
    },
  ],
};
