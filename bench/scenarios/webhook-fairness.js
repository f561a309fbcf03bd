'use strict';

const { createServer } = require('node:http');
const { loadavg } = require('node:os');
const { join } = require('node:path');
const { Client } = require('pg');
const { API_ENTRY, startStrata } = require('../lib/strata');
const { ADMIN_KEY, call, until, percentile } = require('../lib/admin-api');

const ALL_ROLES_ENTRY = join(API_ENTRY, '..', '..', 'main.js');
const PACED = 200;
const BACKLOG = 1000;
const TIMEOUT_MS = 500;

/**
 * A receiver: `answer(request, response)` decides how it answers; `arrivals` holds when each
 * event id first arrived (with the event's own timestamp, written in the page's transaction).
 */
async function startReceiver(answer) {
  const arrivals = new Map();
  const open = new Set();
  const server = createServer((request, response) => {
    open.add(response);
    response.on('close', () => open.delete(response));
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      if (!arrivals.has(event.data.id)) arrivals.set(event.data.id, { at: Date.now(), timestamp: Date.parse(event.timestamp) });
      answer(request, response);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/hook`,
    arrivals,
    async stop() {
      for (const response of open) response.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const BROKEN = {
  hanging: () => {},
  resetting: (_request, response) => response.socket?.destroy(),
  slow: (_request, response) => setTimeout(() => !response.destroyed && response.writeHead(200).end(), TIMEOUT_MS * 4),
};

/** One Strata (API + worker) with a healthy endpoint; the broken ones are added by the second scenario. */
async function setUp(ctx) {
  const healthy = await ctx.shared('fairness-healthy', () => startReceiver((_request, response) => response.writeHead(204).end()));
  const api = await ctx.shared('fairness-strata', () =>
    startStrata(ctx.settings, {
      env: {
        PROCESS_ROLE: 'all',
        ADMIN_API_KEY: ADMIN_KEY,
        WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
        WEBHOOK_TIMEOUT_MS: String(TIMEOUT_MS),
        WEBHOOK_RETRY_SCHEDULE: Array(20).fill('1s').join(','),
      },
      name: 'Strata (api + worker, fairness)',
      script: ALL_ROLES_ENTRY,
    }),
  );
  await ctx.shared('fairness-endpoint', async () => {
    await call(`${api.url}/api/v1/webhooks`, 'POST', { url: healthy.url, events: ['page.created'] });
    return { stop: async () => {} };
  });
  return { api, healthy };
}

/** PACED single writes; commit → arrival at the healthy receiver for each. */
async function measureHealthy(api, healthy, prefix) {
  const ids = [];
  const started = Date.now();
  for (let index = 0; index < PACED; index++) {
    ids.push((await call(`${api.url}/api/v1/pages`, 'POST', { slug: `${prefix}-${started}-${index}`, title: 'Paced' })).id);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await until(() => ids.every((id) => healthy.arrivals.has(id)), `${PACED} healthy deliveries`, 300000);
  const latencies = ids.map((id) => healthy.arrivals.get(id).at - healthy.arrivals.get(id).timestamp).sort((a, b) => a - b);
  const last = Math.max(...ids.map((id) => healthy.arrivals.get(id).at));
  return {
    rps: PACED / ((last - started) / 1000),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    requests: PACED,
    errors: 0,
    timeouts: 0,
    non2xx: 0,
    statusCodes: { 204: PACED },
  };
}

/** Pending deliveries of the broken endpoints, how many of them have failed at least once, and how many of the endpoints are failing. */
async function backlog(api, endpointIds) {
  const client = new Client({ connectionString: api.databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT count(*) AS pending, count(*) FILTER (WHERE attempt_count > 0) AS retrying,
              (SELECT count(*) FROM webhook_endpoints WHERE id = ANY($1::uuid[]) AND failure_count > 0) AS failing
         FROM webhook_deliveries WHERE endpoint_id = ANY($1::uuid[]) AND status = 'pending'`,
      [endpointIds],
    );
    return { pending: Number(rows[0].pending), retrying: Number(rows[0].retrying), failing: Number(rows[0].failing) };
  } finally {
    await client.end();
  }
}

const figures = {};
const load = () =>
  loadavg()
    .map((value) => value.toFixed(1))
    .join(' / ');

module.exports = [
  {
    name: `Fairness: healthy endpoint alone (${PACED} single writes)`,
    findings: async () => [`p99 alone ${figures.alone} ms; load average (1/5/15 min) ${load()}`],
    async drive(ctx) {
      const { api, healthy } = await setUp(ctx);
      const result = await measureHealthy(api, healthy, 'alone');
      figures.alone = result.p99;
      return result;
    },
  },
  {
    name: `Fairness: the same beside 3 broken endpoints (hanging, resetting, slow) with ${3 * BACKLOG} deliveries pending`,
    findings: async () => [
      `p99 beside the broken endpoints ${figures.beside} ms = ${(figures.beside / figures.alone).toFixed(2)}× its p99 alone; pending deliveries of the broken endpoints ${figures.before.pending} → ${figures.after.pending} during the measurement, ${figures.before.retrying} → ${figures.after.retrying} of them retries (due every second); load average ${load()}`,
    ],
    async drive(ctx) {
      const { api, healthy } = await setUp(ctx);
      const endpointIds = [];
      for (const [name, answer] of Object.entries(BROKEN)) {
        const receiver = await ctx.shared(`fairness-${name}`, () => startReceiver(answer));
        endpointIds.push((await call(`${api.url}/api/v1/webhooks`, 'POST', { url: receiver.url, events: ['page.created'] })).id);
      }
      // The broken endpoints are known to fail (as after any real outage) before their backlog is written.
      await call(`${api.url}/api/v1/pages`, 'POST', { slug: `first-failures-${Date.now()}`, title: 'First failures' });
      await until(async () => (await backlog(api, endpointIds)).failing === endpointIds.length, 'a first failure on each broken endpoint', 120000, 200);
      const before = healthy.arrivals.size;
      for (let offset = 0; offset < BACKLOG; offset += 100) {
        const operations = Array.from({ length: 100 }, (_, index) => ({ op: 'create', data: { slug: `backlog-${offset + index}`, title: 'Backlog' } }));
        await call(`${api.url}/api/v1/pages/batch`, 'POST', { operations });
      }
      await until(() => healthy.arrivals.size >= before + BACKLOG, 'the healthy share of the backlog', 300000);
      await until(async () => (await backlog(api, endpointIds)).retrying >= BACKLOG, `${BACKLOG} retries pending`, 300000, 500);
      figures.before = await backlog(api, endpointIds);
      const result = await measureHealthy(api, healthy, 'beside');
      figures.after = await backlog(api, endpointIds);
      figures.beside = result.p99;
      return result;
    },
  },
];
