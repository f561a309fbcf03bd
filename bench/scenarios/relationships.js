'use strict';

const { randomBytes } = require('node:crypto');
const { createHistogram } = require('node:perf_hooks');
const { Client } = require('pg');
const { v7: uuidv7 } = require('uuid');
const { startStrata } = require('../lib/strata');
const bareFastify = require('./bare-fastify');

const NODES = 10_000;
const EDGES = 50_000;
const DEPTH = 3;
const TYPES = ['related', 'references', 'parent'];
/** Concurrent clients of the cold run: each request walks the database, so fewer than autocannon's. */
const COLD_CLIENTS = 8;
/** Start nodes of the cold run; each is read once, so each request is a cache miss. */
const COLD_STARTS = 3000;
const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const ADMIN_KEY = 'sk_' + Array.from(randomBytes(40), (byte) => BASE62[byte % 62]).join('');
const AUTH = { authorization: `Bearer ${ADMIN_KEY}` };

const graphPath = (id) => `/api/v1/pages/${id}/graph?depth=${DEPTH}`;

/**
 * One Strata on a database seeded with SQL in bulk (the API would take minutes): NODES pages
 * and EDGES distinct random links between them (no self-links), then ANALYZE. The seed bypasses
 * the API on purpose, so nothing of it is cached and no events are recorded.
 */
async function seededStrata(ctx) {
  return ctx.shared('strata-graph', async () => {
    const api = await startStrata(ctx.settings, { env: { ADMIN_API_KEY: ADMIN_KEY } });
    try {
      const ids = Array.from({ length: NODES }, () => uuidv7());
      const client = new Client({ connectionString: api.databaseUrl });
      await client.connect();
      try {
        await client.query(`INSERT INTO pages (id, slug, title) SELECT id, 'graph-' || n, 'Node ' || n FROM unnest($1::uuid[]) WITH ORDINALITY AS t(id, n)`, [
          ids,
        ]);
        const seen = new Set();
        const edges = [];
        while (edges.length < EDGES) {
          const source = Math.floor(Math.random() * NODES);
          const target = Math.floor(Math.random() * NODES);
          const type = TYPES[edges.length % TYPES.length];
          const key = `${source}:${target}:${type}`;
          if (source === target || seen.has(key)) continue;
          seen.add(key);
          edges.push([uuidv7(), ids[source], ids[target], type]);
        }
        for (let start = 0; start < edges.length; start += 10_000) {
          const chunk = edges.slice(start, start + 10_000);
          await client.query(
            `INSERT INTO relationships (id, source_type, source_id, target_type, target_id, type)
             SELECT id, 'page', s, 'page', t, type FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::varchar[]) AS e(id, s, t, type)`,
            [chunk.map((edge) => edge[0]), chunk.map((edge) => edge[1]), chunk.map((edge) => edge[2]), chunk.map((edge) => edge[3])],
          );
        }
        await client.query('ANALYZE pages, relationships');
      } finally {
        await client.end();
      }
      return { ...api, ids, stop: api.stop };
    } catch (error) {
      await api.stop();
      throw error;
    }
  });
}

async function loadsOf(baseUrl) {
  const response = await fetch(`${baseUrl}/api/v1/cache/stats`, { headers: AUTH });
  return (await response.json()).loads;
}

/**
 * Cold: every request asks for the graph of a start node never read before, so its key is in
 * neither cache tier and the recursive CTE runs for each one (checked: the cache's load count
 * grows by the number of requests). Sequential clients, each taking the next unread node.
 */
async function driveCold(ctx) {
  const api = await seededStrata(ctx);
  const starts = api.ids.slice(0, COLD_STARTS);
  const latencyUs = createHistogram();
  const statusCodes = {};
  let next = 0;
  let errors = 0;
  const loadsBefore = await loadsOf(api.url);
  const startedAt = performance.now();
  const deadline = Date.now() + ctx.settings.durationS * 1000;
  await Promise.all(
    Array.from({ length: COLD_CLIENTS }, async () => {
      while (next < starts.length && Date.now() < deadline) {
        const id = starts[next++];
        const sent = performance.now();
        try {
          const response = await fetch(`${api.url}${graphPath(id)}`, { headers: AUTH });
          await response.arrayBuffer();
          statusCodes[response.status] = (statusCodes[response.status] ?? 0) + 1;
          latencyUs.record(Math.max(1, Math.round((performance.now() - sent) * 1000)));
        } catch {
          errors++;
        }
      }
    }),
  );
  const elapsedS = (performance.now() - startedAt) / 1000;
  const requests = Object.values(statusCodes).reduce((sum, count) => sum + count, 0);
  api.coldStarts = starts.slice(0, next);
  api.coldLoads = (await loadsOf(api.url)) - loadsBefore;
  return {
    rps: requests / elapsedS,
    p50: latencyUs.percentile(50) / 1000,
    p99: latencyUs.percentile(99) / 1000,
    requests,
    errors,
    timeouts: 0,
    non2xx: requests - (statusCodes[200] ?? 0),
    statusCodes,
  };
}

/** Graph depth 3 on a 10 000-node, 50 000-edge page graph: database walk (cold) against the cache. */
module.exports = {
  name: 'relationships',
  description:
    `GET /api/v1/pages/{id}/graph?depth=${DEPTH} on ${NODES.toLocaleString('en-US')} pages joined by ${EDGES.toLocaleString('en-US')} random links ` +
    `(${TYPES.join(', ')}; average 10 links per node counting both directions, so depth 3 reaches far more than the default node limit of 200: every answer is truncated at 200 nodes). ` +
    'Cold: each request is the first read of its start node (a key in neither L1 nor Redis), so the recursive CTE and the node-title lookup run every time. ' +
    'Cached: the same start nodes read again, from L1.',
  scenarios: [
    bareFastify,
    {
      name: `Strata graph depth ${DEPTH}, cold (${COLD_CLIENTS} clients, each start node read once)`,
      drive: driveCold,
      async findings(ctx) {
        const api = await seededStrata(ctx);
        return [`${api.coldStarts.length} cold requests caused ${api.coldLoads} cache loads (each request a miss, as intended)`];
      },
    },
    {
      name: `Strata graph depth ${DEPTH}, cached (the cold run's start nodes again)`,
      async setup(ctx) {
        const api = await seededStrata(ctx);
        const starts = api.coldStarts;
        let index = 0;
        return {
          url: `${api.url}${graphPath(starts[0])}`,
          headers: AUTH,
          requests: [{ setupRequest: (request) => ({ ...request, path: graphPath(starts[index++ % starts.length]) }) }],
        };
      },
    },
  ],
};
