'use strict';

// `npm run build && node bench/scale.js`: Strata on a single Redis, a Sentinel group and a Redis
// Cluster (each the bench's own, on free ports: lib/redis-topologies.js), then media on local disk
// and on an S3-protocol server, each comparison in alternating rounds within this one run, so
// drift in what else the machine does hits every side alike. Writes bench/results/scale.md
// (BENCH_RESULT_FILE to write elsewhere).
//
// Redis reads, every round, each against every topology (the order rotates round by round):
//   cached   GET /api/v1/pages/{id}, admin key (unlimited tier: not counted), from the L1 cache
//   l2       the same read from a second Strata on the topology whose L1 cannot hold the page
//            (CACHE_L1_MAX_BYTES=1024): a cache hit in Redis, one GET per request
//   limited  the cached read with BENCH_LIMITED_KEYS keys (default 400) of a 999-per-minute tier,
//            one per request in turn: below 1 000 per minute nothing is leased, so every request
//            is one rate-limit script call in Redis (the keys share the load so none reaches 999)
//   leased   the cached read with one key of a 10^9-per-minute tier: a busy key of a large tier
//            is counted from leases of quota, about one Redis call per lease
// Media, every round: 8 MiB uploads, then downloads, local disk and S3 (s3rver) in turn.
const os = require('node:os');
const { join } = require('node:path');
const { measure } = require('./lib/load');
const { FILE_BYTES, MIB, download, driveClients, mediaEnv, startS3rver, upload, uploadForDownloads } = require('./lib/media-load');
const { serviceVersions } = require('./lib/infra');
const { startTopologies } = require('./lib/redis-topologies');
const { writeScaleReport } = require('./lib/scale-report');
const { cpuMicros, machineBusyMicros, writeSyscalls } = require('./lib/server-cpu');
const { readSettings } = require('./lib/settings');
const { createPage, startStrata } = require('./lib/strata');

// Many short rounds: on a shared machine the load changes within tens of seconds, and the
// median of many per-round ratios is steadier than a few long rounds.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const ROUND_S = Number(process.env.BENCH_ROUND_S ?? 3);
const WARMUP_S = Number(process.env.BENCH_ROUND_WARMUP_S ?? 1);
const MEDIA_ROUNDS = Number(process.env.BENCH_MEDIA_ROUNDS ?? 4);
const MEDIA_ROUND_S = Number(process.env.BENCH_MEDIA_ROUND_S ?? 8);
const LIMITED_KEYS = Number(process.env.BENCH_LIMITED_KEYS ?? 400);
const TOPOLOGIES = (process.env.BENCH_TOPOLOGIES ?? 'single,sentinel,cluster').split(',');
const PICKED = process.env.BENCH_SCENARIOS?.split(',');
const ADMIN_KEY = `sk_bench${'0123456789abcdefghijklmnopqrstuvwxyz'}`;
const ADMIN = { authorization: `Bearer ${ADMIN_KEY}` };
/** Just under LEASE_MIN_LIMIT (libs/rate-limit/src/quota-leases.ts): counted request by request. */
const SMALL_TIER = { perMinute: 999, perDay: 1_000_000_000 };
const LARGE_TIER = { perMinute: 1_000_000_000, perDay: 1_000_000_000 };
const RATE_LIMIT_TIERS = JSON.stringify({ small: SMALL_TIER, load: LARGE_TIER });
// About 1.4 KB of page JSON, as the cache group's cached page: more than CACHE_L1_MAX_BYTES=1024 holds.
const PAGE_BODY = Array.from(
  { length: 10 },
  (_, index) => `Paragraph ${index + 1}. Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore.`,
).join('\n');

const SCENARIOS = [
  { id: 'cached', label: 'cached read (L1), admin key', strata: 'main', counts: 'cache' },
  { id: 'l2', label: 'cached read from Redis (L2), admin key', strata: 'l2', counts: 'cache' },
  { id: 'limited', label: `rate-limited read, ${LIMITED_KEYS} keys of a 999/min tier`, strata: 'main', counts: 'limiter' },
  { id: 'leased', label: 'rate-limited read, 1 key of a 10⁹/min tier (leased)', strata: 'main', counts: 'limiter' },
].filter((scenario) => !PICKED || PICKED.includes(scenario.id));
const MEDIA = !PICKED || PICKED.includes('media');
const MEDIA_TRANSFERS = ['upload', 'download'];
const MEDIA_STORAGES = ['local', 's3'];

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
/** `items` rotated left by `by`: every side goes first as often as the others. */
const rotate = (items, by) => items.map((_, index) => items[(index + by) % items.length]);

async function json(url, init = {}) {
  const response = await fetch(url, { ...init, headers: { ...ADMIN, ...init.headers } });
  const text = await response.text();
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${url} answered ${response.status}: ${text.slice(0, 200)}`);
  return text ? JSON.parse(text) : undefined;
}

/** `work` over `items`, `concurrency` at a time. */
async function inBatches(items, concurrency, work) {
  const results = [];
  for (let start = 0; start < items.length; start += concurrency) results.push(...(await Promise.all(items.slice(start, start + concurrency).map(work))));
  return results;
}

async function createKey(baseUrl, tier, name) {
  const { key } = await json(`${baseUrl}/api/v1/api-keys`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, scopes: ['content:read'], tier }),
  });
  return key;
}

/** The counters this bench reads from /metrics (cache reads by result, limiter counts by backend). */
async function counters(baseUrl) {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const read = (pattern) => Number(pattern.exec(text)?.[1] ?? 0);
  return {
    l1: read(/^strata_cache_reads_total\{result="l1_hit"\} (\d+)/m),
    l2: read(/^strata_cache_reads_total\{result="l2_hit"\} (\d+)/m),
    miss: read(/^strata_cache_reads_total\{result="miss"\} (\d+)/m),
    redis: read(/^strata_rate_limit_requests_total\{outcome="allowed",backend="redis"\} (\d+)/m),
    lease: read(/^strata_rate_limit_requests_total\{outcome="allowed",backend="lease"\} (\d+)/m),
    memory: read(/^strata_rate_limit_requests_total\{outcome="allowed",backend="memory"\} (\d+)/m),
  };
}

/** One topology's Stratas, page and keys, read once through so the rounds start warm. */
async function prepareTopology(settings, topology) {
  const env = { ...topology.env, ADMIN_API_KEY: ADMIN_KEY, RATE_LIMIT_TIERS };
  const side = { topology, stratas: {} };
  side.stratas.main = await startStrata(settings, { env, name: `Strata on ${topology.label}` });
  if (SCENARIOS.some((scenario) => scenario.strata === 'l2')) {
    side.stratas.l2 = await startStrata(settings, { env: { ...env, CACHE_L1_MAX_BYTES: '1024' }, name: `Strata on ${topology.label}, L1 1 KB` });
  }
  side.pages = {};
  for (const [role, api] of Object.entries(side.stratas)) {
    side.pages[role] = (await createPage(api.url, { slug: 'scale', title: 'Cached', body: PAGE_BODY }, ADMIN)).id;
    await json(`${api.url}/api/v1/pages/${side.pages[role]}`);
  }
  const main = side.stratas.main;
  const pageUrl = `${main.url}/api/v1/pages/${side.pages.main}`;
  if (SCENARIOS.some((scenario) => scenario.id === 'limited')) {
    side.limitedKeys = await inBatches(
      Array.from({ length: LIMITED_KEYS }, (_, n) => n),
      10,
      (n) => createKey(main.url, 'small', `scale small ${n}`),
    );
    // One read per key: each is looked up once (then held in the key cache) and proven to work.
    await inBatches(side.limitedKeys, 20, (key) => json(pageUrl, { headers: { authorization: `Bearer ${key}` } }));
  }
  side.leasedKey = await createKey(main.url, 'load', 'scale large');
  await json(pageUrl, { headers: { authorization: `Bearer ${side.leasedKey}` } });
  return side;
}

/** The autocannon target of one scenario on one topology. */
function target(scenario, side) {
  const api = side.stratas[scenario.strata];
  const url = `${api.url}/api/v1/pages/${side.pages[scenario.strata]}`;
  if (scenario.id === 'leased') return { url, headers: { authorization: `Bearer ${side.leasedKey}` }, serverPid: api.pid };
  if (scenario.id !== 'limited') return { url, headers: ADMIN, serverPid: api.pid };
  let next = 0;
  return {
    url,
    headers: { authorization: `Bearer ${side.limitedKeys[0]}` },
    serverPid: api.pid,
    requests: [
      {
        setupRequest(request) {
          next = (next + 1) % side.limitedKeys.length;
          return { ...request, headers: { authorization: `Bearer ${side.limitedKeys[next]}` } };
        },
      },
    ],
  };
}

/** A warm-up, then the measured run with the server's and Redis' CPU and the counters around it. */
async function measureRound(settings, scenario, side) {
  const options = target(scenario, side);
  const api = side.stratas[scenario.strata];
  if (WARMUP_S > 0) await measure(options, { durationS: WARMUP_S, connections: settings.connections, warmupS: 0 });
  const countsBefore = await counters(api.url);
  const redisBefore = await side.topology.cpuMicros();
  const writesBefore = writeSyscalls(api.pid);
  const result = await measure(options, { durationS: ROUND_S, connections: settings.connections, warmupS: 0 });
  const writesAfter = writeSyscalls(api.pid);
  const redisAfter = await side.topology.cpuMicros();
  const countsAfter = await counters(api.url);
  if (result.errors || result.timeouts || result.non2xx) {
    throw new Error(
      `${scenario.id} on ${side.topology.id}: ${result.errors} errors, ${result.timeouts} timeouts, status codes ${JSON.stringify(result.statusCodes)}`,
    );
  }
  return {
    ...result,
    redisCpuUs: (redisAfter - redisBefore) / result.requests,
    writes: (writesAfter - writesBefore) / result.requests,
    counts: Object.fromEntries(Object.keys(countsAfter).map((name) => [name, countsAfter[name] - countsBefore[name]])),
  };
}

/** CPU used so far by the machine, this process (the load generator), the servers `pids` and the Redis topologies. */
async function cpuSnapshot(pids, topologies) {
  const { user, system } = process.cpuUsage();
  const redis = await Promise.all(topologies.map((topology) => topology.cpuMicros()));
  return {
    at: performance.now(),
    machine: machineBusyMicros(),
    generator: user + system,
    servers: pids.reduce((sum, pid) => sum + (cpuMicros(pid) ?? 0), 0),
    redis: redis.reduce((sum, micros) => sum + micros, 0),
  };
}

/** Where the machine's CPU went between two snapshots, in cores (1 = one core busy all the time). */
function cpuShares(before, after) {
  const cores = (part) => (after[part] - before[part]) / ((after.at - before.at) * 1000);
  const shares = Object.fromEntries(['machine', 'generator', 'servers', 'redis'].map((part) => [part, cores(part)]));
  return { ...shares, rest: Math.max(0, shares.machine - shares.generator - shares.servers - shares.redis) };
}

async function redisPhase(settings, sides, loads) {
  const results = new Map(SCENARIOS.map((scenario) => [scenario.id, new Map(sides.map((side) => [side.topology.id, []]))]));
  const pids = sides.flatMap((side) => Object.values(side.stratas).map((api) => api.pid));
  const topologies = sides.map((side) => side.topology);
  const cpuBefore = await cpuSnapshot(pids, topologies);
  for (let round = 0; round < ROUNDS; round++) {
    for (const scenario of SCENARIOS) {
      for (const side of rotate(sides, round)) {
        const measured = await measureRound(settings, scenario, side);
        results.get(scenario.id).get(side.topology.id).push(measured);
        console.log(
          `round ${round + 1} ${scenario.id} ${side.topology.id}: ${Math.round(measured.rps)} req/s, p99 ${measured.p99.toFixed(2)} ms, ` +
            `Strata ${measured.serverCpuUs.toFixed(0)} µs, Redis ${measured.redisCpuUs.toFixed(0)} µs CPU/response`,
        );
      }
    }
    loads.redis.push(os.loadavg()[0]);
  }
  loads.redisCpu = cpuShares(cpuBefore, await cpuSnapshot(pids, topologies));
  return results;
}

async function mediaPhase(settings, topologies, loads, stops) {
  const s3 = await startS3rver();
  stops.push(() => s3.stop());
  const sides = [];
  for (const storage of MEDIA_STORAGES) {
    const api = await startStrata(settings, { env: mediaEnv(storage, s3), name: `Strata (${storage} media)` });
    stops.push(() => api.stop());
    sides.push({ storage, api, id: await uploadForDownloads(api.url) });
  }
  const requestOf = (transfer, side) => (transfer === 'upload' ? async () => (await upload(side.api.url)).status : () => download(side.api.url, side.id));
  // One upload and one download each, not counted: the first of each warms the code paths.
  for (const side of sides) for (const transfer of MEDIA_TRANSFERS) await requestOf(transfer, side)();
  const results = new Map(MEDIA_TRANSFERS.map((transfer) => [transfer, new Map(sides.map((side) => [side.storage, []]))]));
  const pids = [s3.pid, ...sides.map((side) => side.api.pid)];
  const cpuBefore = await cpuSnapshot(pids, topologies);
  for (let round = 0; round < MEDIA_ROUNDS; round++) {
    for (const transfer of MEDIA_TRANSFERS) {
      for (const side of rotate(sides, round)) {
        const strataBefore = cpuMicros(side.api.pid);
        const s3Before = cpuMicros(s3.pid);
        const result = await driveClients(MEDIA_ROUND_S, requestOf(transfer, side));
        if (result.errors || result.non2xx)
          throw new Error(`${transfer} on ${side.storage}: ${result.errors} errors, status codes ${JSON.stringify(result.statusCodes)}`);
        const files = result.requests;
        const measured = {
          ...result,
          strataCpuMs: (cpuMicros(side.api.pid) - strataBefore) / files / 1000,
          s3CpuMs: side.storage === 's3' ? (cpuMicros(s3.pid) - s3Before) / files / 1000 : undefined,
        };
        results.get(transfer).get(side.storage).push(measured);
        console.log(`media round ${round + 1} ${transfer} ${side.storage}: ${measured.mibPerS.toFixed(1)} MiB/s, p99 ${measured.p99.toFixed(0)} ms`);
      }
    }
    loads.media.push(os.loadavg()[0]);
  }
  loads.mediaCpu = cpuShares(cpuBefore, await cpuSnapshot(pids, topologies));
  return results;
}

async function main() {
  const settings = readSettings();
  const stops = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch((error) => console.error(error));
  };
  for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => stopAll().finally(() => process.exit(130)));
  try {
    const topologies = await startTopologies(TOPOLOGIES);
    for (const topology of topologies) stops.push(() => topology.stop());
    const single = topologies.find((topology) => topology.id === 'single') ?? topologies[0];
    const versions = await serviceVersions({ postgresAdminUrl: settings.postgresAdminUrl, redisUrl: single.url });
    // Every Strata's key prefix is cleaned up on the bench's own single Redis: nothing touches the shared one.
    const local = { ...settings, redisUrl: single.url };
    const loads = { before: os.loadavg()[0], redis: [], media: [] };
    const sides = [];
    let redisResults;
    if (SCENARIOS.length) {
      const strataStops = [];
      stops.push(async () => {
        for (const stop of strataStops.splice(0)) await stop();
      });
      for (const topology of topologies) {
        console.log(`preparing Strata on ${topology.label}`);
        const side = await prepareTopology(local, topology);
        for (const api of Object.values(side.stratas)) strataStops.push(() => api.stop());
        sides.push(side);
      }
      loads.redisStart = os.loadavg()[0];
      redisResults = await redisPhase(settings, sides, loads);
      // Stopped before the media rounds, so idle Stratas do not share the cores with them.
      for (const stop of strataStops.splice(0)) await stop();
    }
    const mediaResults = MEDIA ? await mediaPhase(local, topologies, loads, stops) : undefined;
    const file = process.env.BENCH_RESULT_FILE ?? join(__dirname, 'results', 'scale.md');
    const report = writeScaleReport(file, {
      settings,
      versions,
      topologies,
      scenarios: SCENARIOS,
      redisResults,
      mediaResults,
      loads,
      run: { ROUNDS, ROUND_S, WARMUP_S, MEDIA_ROUNDS, MEDIA_ROUND_S, LIMITED_KEYS, FILE_BYTES, MIB, SMALL_TIER, LARGE_TIER },
      median,
    });
    console.log(report);
  } finally {
    await stopAll();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
