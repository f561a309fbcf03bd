'use strict';

const { createPage, startStrata } = require('../lib/strata');
const bareFastify = require('./bare-fastify');

const PAGE_BODY = Array.from({ length: 6 }, (_, index) =>
  `Paragraph ${index + 1}. Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore.`).join('\n');
const ZIPF_PAGES = 10_000;
const ZIPF_S = 1.0;
const ZIPF_READ_SHARE = 0.95;
const STAMPEDE_READERS = 1000;
/** Every request carries a key, as PRODUCT.md §5 asks (key auth and rate limiting on the measured path). */
const ADMIN_KEY = `sk_bench${'0123456789abcdefghijklmnopqrstuvwxyz'.repeat(1)}`;
const AUTH = { authorization: `Bearer ${ADMIN_KEY}` };
const strataEnv = { ADMIN_API_KEY: ADMIN_KEY };

const strata = (ctx) => ctx.shared('strata', () => startStrata(ctx.settings, { env: strataEnv }));
const cacheManagerVariant = (ctx) =>
  ctx.shared('strata-cache-manager', () =>
    startStrata(ctx.settings, { env: strataEnv, name: 'Strata + @nestjs/cache-manager', script: require.resolve('../servers/strata-cache-manager') }));

async function json(url, init) {
  const response = await fetch(url, { ...init, headers: { ...AUTH, ...init?.headers } });
  const text = await response.text();
  if (!response.ok) throw new Error(`${init?.method ?? 'GET'} ${url} answered ${response.status}: ${text.slice(0, 200)}`);
  return text ? JSON.parse(text) : undefined;
}

/** Page ids created in batches of 100 (one transaction each). */
async function createPages(baseUrl, count) {
  const ids = [];
  for (let start = 0; start < count; start += 100) {
    const operations = Array.from({ length: Math.min(100, count - start) }, (_, i) => ({
      op: 'create',
      data: { slug: `zipf-${start + i}`, title: `Page ${start + i}`, body: PAGE_BODY },
    }));
    const answer = await json(`${baseUrl}/api/v1/pages/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ operations }) });
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

const statsOf = (baseUrl) => json(`${baseUrl}/api/v1/cache/stats`);
const resetStats = (baseUrl) => json(`${baseUrl}/api/v1/cache/stats/reset`, { method: 'POST' });

/** Strata's multi-level cache against bare Fastify and against the usual Nest way of caching. */
module.exports = {
  name: 'cache',
  description:
    'Cached reads: Strata GET /api/v1/pages/{id} served from its L1 cache, the same build with @nestjs/cache-manager on Redis ' +
    `in front instead, and a Zipf workload (${ZIPF_PAGES.toLocaleString('en-US')} pages, s = ${ZIPF_S}, ${ZIPF_READ_SHARE * 100} % reads, 5 % PATCH).`,
  scenarios: [
    bareFastify,
    {
      name: 'Strata GET /api/v1/pages/{id} (cached)',
      description: `One page read by id after a first read filled the cache. Findings: a cold key read by ${STAMPEDE_READERS} concurrent clients, counted in source loads.`,
      async setup(ctx) {
        const api = await strata(ctx);
        const page = await createPage(api.url, { slug: `cached-${Date.now().toString(36)}`, title: 'Cached', body: PAGE_BODY }, AUTH);
        await json(`${api.url}/api/v1/pages/${page.id}`);
        return { url: `${api.url}/api/v1/pages/${page.id}`, headers: AUTH };
      },
      async findings(ctx) {
        const api = await strata(ctx);
        const page = await createPage(api.url, { slug: `stampede-${Date.now().toString(36)}`, title: 'Cold', body: PAGE_BODY }, AUTH);
        const before = (await statsOf(api.url)).loads;
        await Promise.all(Array.from({ length: STAMPEDE_READERS }, () => json(`${api.url}/api/v1/pages/${page.id}`)));
        const loads = (await statsOf(api.url)).loads - before;
        return [`stampede: ${STAMPEDE_READERS} concurrent reads of a cold key (one instance) caused ${loads} source load(s)`];
      },
    },
    {
      name: 'Strata + @nestjs/cache-manager (Redis) GET /api/v1/pages/{id}',
      description: 'The same build and route, with CacheInterceptor (cache-manager 7 + Keyv on Redis) answering every repeated GET.',
      async setup(ctx) {
        const api = await cacheManagerVariant(ctx);
        const page = await createPage(api.url, { slug: `cm-${Date.now().toString(36)}`, title: 'Cached', body: PAGE_BODY }, AUTH);
        await json(`${api.url}/api/v1/pages/${page.id}`);
        return { url: `${api.url}/api/v1/pages/${page.id}`, headers: AUTH };
      },
    },
    {
      name: `Strata Zipf ${ZIPF_PAGES.toLocaleString('en-US')} pages, 95 % reads`,
      description: 'Reads pick a page by Zipf rank; 5 % of requests PATCH a page (same distribution), invalidating it and the page lists. Every page is read once before the load. Findings: the hit rate over the load.',
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
          url: api.url,
          headers: AUTH,
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
