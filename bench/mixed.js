'use strict';

// `npm run build && node bench/mixed.js`: reads and writes mixed, against the pure cached read
// measured in the same rounds. Scenarios (each BENCH_ROUND_S seconds, every round):
//   cached      one page read by id over and over (the reference: the mixes' ratios are to it)
//   zipf-100/0, zipf-99/1, zipf-95/5, zipf-90/10
//               10,000 pages read by Zipf rank (s = 1); the given share of requests PATCH a page
//               (same distribution) instead (none in zipf-100/0: what the read pattern alone costs)
//   lists-95/5  lists and searches of pages (Zipf over 40 queries: sorts, status, tag, text
//               search, a second page), 5 % PATCH of a page as above
// Every request carries the same `load`-tier key (content:read + content:write), so auth and
// rate limiting are on every request as in the cache group. Latency is split by method: the
// read p99 is over GETs only.
//
// With BENCH_BASE_ENTRY=<another checkout>/dist/apps/api/main.js the same rounds also run
// against that build (the "before"), alternating with this one round by round, each on its own
// database, so drift in what else the machine does hits both alike. BENCH_PROFILE_DIR writes a
// V8 CPU profile of each server and a probe summary (event-loop delay, pool waits, PostgreSQL
// and Redis latencies), both from the end of the set-up on (lib/server-probe.js).
// BENCH_CACHE_TTL_S sets both servers' CACHE_DEFAULT_TTL_S (60 s by default): the pages are all
// read once in the set-up, so they go stale together about a minute later, and from then on the
// Zipf reads refresh them; a few seconds makes every round pay for refreshes.
// BENCH_SCENARIOS=cached,zipf-95/5 picks scenarios. Writes bench/results/mixed.md
// (BENCH_RESULT_FILE to write elsewhere).
const { mkdirSync, readFileSync, writeFileSync, existsSync } = require('node:fs');
const os = require('node:os');
const { join, resolve } = require('node:path');
const { createHistogram } = require('node:perf_hooks');
const autocannon = require('autocannon');
const { describeMachine } = require('./lib/machine');
const { cpuMicros, writeSyscalls } = require('./lib/server-cpu');
const { readSettings } = require('./lib/settings');
const { API_ENTRY, createPage, startStrata } = require('./lib/strata');

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const ROUND_S = Number(process.env.BENCH_ROUND_S ?? 6);
const WARMUP_S = Number(process.env.BENCH_ROUND_WARMUP_S ?? 1);
const PAGES = Number(process.env.BENCH_PAGES ?? 10_000);
const ZIPF_S = 1.0;
const TAGS = 10;
const ADMIN_KEY = `sk_bench${'0123456789abcdefghijklmnopqrstuvwxyz'}`;
const ADMIN = { authorization: `Bearer ${ADMIN_KEY}` };
const LOAD_TIER = 'load';
const PAGE_BODY = Array.from(
  { length: 6 },
  (_, index) => `Paragraph ${index + 1}. Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore.`,
).join('\n');
/** About 1.4 KB of page JSON, as the cache group's cached page. */
const CACHED_PAGE_BODY = `${PAGE_BODY}\n${PAGE_BODY.split('\n').slice(0, 4).join('\n')}`;

/** The list and search queries of the lists mix, most read first. */
const LIST_QUERIES = [
  'limit=20',
  'limit=20&sort=-updatedAt',
  'limit=20&status=published',
  ...Array.from({ length: TAGS }, (_, tag) => `limit=20&tag=t${tag}`),
  'limit=20&sort=title',
  'limit=10&q=paragraph',
  'limit=10&q=lorem%20ipsum',
  ...Array.from({ length: 20 }, (_, n) => `limit=10&q=page%20${n * 7 + 3}`),
  'limit=50',
  'limit=20&status=draft&sort=createdAt',
  'limit=20&tag=t1&sort=-updatedAt',
  'limit=20&status=published&tag=t2',
];

const SCENARIOS = [
  { id: 'cached', label: 'cached read, one page (reference)' },
  { id: 'zipf-100/0', label: 'Zipf 10,000 pages, reads only', writeShare: 0 },
  { id: 'zipf-99/1', label: 'Zipf 10,000 pages, 99 % reads / 1 % PATCH', writeShare: 0.01 },
  { id: 'zipf-95/5', label: 'Zipf 10,000 pages, 95 % reads / 5 % PATCH', writeShare: 0.05 },
  { id: 'zipf-90/10', label: 'Zipf 10,000 pages, 90 % reads / 10 % PATCH', writeShare: 0.1 },
  { id: 'lists-95/5', label: `lists and searches (${LIST_QUERIES.length} queries by Zipf rank), 5 % PATCH`, writeShare: 0.05, lists: true },
].filter((scenario) => !process.env.BENCH_SCENARIOS || process.env.BENCH_SCENARIOS.split(',').includes(scenario.id));

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

async function json(url, init = {}) {
  const response = await fetch(url, { ...init, headers: { ...ADMIN, ...init.headers } });
  const text = await response.text();
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${url} answered ${response.status}: ${text.slice(0, 200)}`);
  return text ? JSON.parse(text) : undefined;
}

/** A build started, filled with pages and read once through: ready for the rounds. */
async function prepare(settings, build, profileDir) {
  const env = {
    ADMIN_API_KEY: ADMIN_KEY,
    RATE_LIMIT_TIERS: JSON.stringify({ [LOAD_TIER]: { perMinute: 1_000_000_000, perDay: 1_000_000_000 } }),
    ...(process.env.BENCH_CACHE_TTL_S ? { CACHE_DEFAULT_TTL_S: process.env.BENCH_CACHE_TTL_S } : {}),
  };
  if (profileDir) {
    env.NODE_OPTIONS = `--require ${join(__dirname, 'lib', 'server-probe.js')}`;
    env.BENCH_PROBE_FILE = join(profileDir, `${build.id}-probe.json`);
    env.BENCH_PROBE_CPU_PROFILE = join(profileDir, `${build.id}.cpuprofile`);
  }
  const api = await startStrata(settings, { env, name: `Strata (${build.label})`, script: build.script });
  const ids = [];
  for (let start = 0; start < PAGES; start += 100) {
    const operations = Array.from({ length: Math.min(100, PAGES - start) }, (_, i) => {
      const n = start + i;
      return {
        op: 'create',
        data: { slug: `mixed-${n}`, title: `Page ${n}`, body: PAGE_BODY, status: n % 2 ? 'published' : 'draft', tags: [`t${n % TAGS}`] },
      };
    });
    const answer = await json(`${api.url}/api/v1/pages/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ operations }),
    });
    for (const result of answer.data) ids.push(result.id);
  }
  for (let start = 0; start < ids.length; start += 100) {
    await Promise.all(ids.slice(start, start + 100).map((id) => json(`${api.url}/api/v1/pages/${id}`)));
  }
  const cached = await createPage(api.url, { slug: 'mixed-cached', title: 'Cached', body: CACHED_PAGE_BODY }, ADMIN);
  const { key } = await json(`${api.url}/api/v1/api-keys`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bench mixed', scopes: ['content:read', 'content:write'], tier: LOAD_TIER }),
  });
  // The probe's counts and CPU profile start here, after the set-up.
  if (profileDir) process.kill(api.pid, 'SIGUSR2');
  return { ...build, api, ids, cachedId: cached.id, headers: { authorization: `Bearer ${key}` }, writes: 0 };
}

/** The autocannon options of one scenario against one prepared build. */
function target(scenario, side) {
  const { api, ids, headers } = side;
  if (scenario.id === 'cached') return { url: `${api.url}/api/v1/pages/${side.cachedId}`, headers };
  const nextPage = zipfSampler(ids.length, ZIPF_S);
  const nextQuery = zipfSampler(LIST_QUERIES.length, ZIPF_S);
  return {
    url: `${api.url}/api/v1/pages/${ids[0]}`,
    headers,
    requests: [
      {
        setupRequest(request, context) {
          if (Math.random() < scenario.writeShare) {
            side.writes += 1;
            context.method = 'PATCH';
            return {
              ...request,
              method: 'PATCH',
              path: `/api/v1/pages/${ids[nextPage()]}`,
              headers: { ...headers, 'content-type': 'application/json' },
              body: JSON.stringify({ title: `Edited ${side.writes}` }),
            };
          }
          context.method = 'GET';
          const path = scenario.lists ? `/api/v1/pages?${LIST_QUERIES[nextQuery()]}` : `/api/v1/pages/${ids[nextPage()]}`;
          return { ...request, method: 'GET', path, headers, body: undefined };
        },
      },
    ],
  };
}

/** One measured run: req/s over all responses, p99 of reads and of writes apart, server CPU and write system calls per response. */
async function run(options, serverPid, durationS) {
  const reads = createHistogram();
  const writes = createHistogram();
  const before = cpuMicros(serverPid);
  const writesBefore = writeSyscalls(serverPid);
  const result = await new Promise((resolvePromise, reject) => {
    const instance = autocannon({ connections: readSettings().connections, ...options, duration: durationS }, (error, done) =>
      error ? reject(error) : resolvePromise(done),
    );
    instance.on('response', (client, _status, _bytes, responseTimeMs) => {
      const histogram = client.requestIterator.context.method === 'PATCH' ? writes : reads;
      histogram.record(Math.max(1, Math.round(responseTimeMs * 1000)));
    });
  });
  if (result.errors || result.non2xx) throw new Error(`${result.errors} errors, ${result.non2xx} non-2xx (${JSON.stringify(result.statusCodeStats)})`);
  const responses = result.requests.total;
  return {
    rps: responses / durationS,
    readP99: reads.percentile(99) / 1000,
    writeP99: writes.count ? writes.percentile(99) / 1000 : undefined,
    cpuUs: (cpuMicros(serverPid) - before) / responses,
    syscw: writesBefore === undefined ? undefined : (writeSyscalls(serverPid) - writesBefore) / responses,
  };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const fmt = (value, digits = 1) =>
  value === undefined ? '–' : value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main() {
  const settings = readSettings();
  const profileDir = process.env.BENCH_PROFILE_DIR && resolve(process.env.BENCH_PROFILE_DIR);
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const builds = [{ id: 'now', label: 'this build', script: API_ENTRY }];
  if (process.env.BENCH_BASE_ENTRY) {
    if (!existsSync(process.env.BENCH_BASE_ENTRY)) throw new Error(`BENCH_BASE_ENTRY ${process.env.BENCH_BASE_ENTRY} does not exist`);
    builds.unshift({ id: 'base', label: process.env.BENCH_BASE_LABEL ?? 'base build', script: resolve(process.env.BENCH_BASE_ENTRY) });
  }
  const loadBefore = os.loadavg();
  const sides = [];
  try {
    // Side by side: filling 10,000 pages takes minutes on a loaded machine.
    const prepared = await Promise.allSettled(builds.map((build) => prepare(settings, build, profileDir)));
    for (const outcome of prepared) if (outcome.status === 'fulfilled') sides.push(outcome.value);
    const failed = prepared.find((outcome) => outcome.status === 'rejected');
    if (failed) throw failed.reason;
    const results = new Map(sides.map((side) => [side.id, new Map(SCENARIOS.map((scenario) => [scenario.id, []]))]));
    const loads = [];
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? sides : [...sides].reverse();
      for (const scenario of SCENARIOS) {
        for (const side of order) {
          const options = target(scenario, side);
          if (WARMUP_S > 0) await run(options, side.api.pid, WARMUP_S);
          const measured = await run(options, side.api.pid, ROUND_S);
          results.get(side.id).get(scenario.id).push(measured);
          console.log(
            `round ${round + 1} ${side.id} ${scenario.id}: ${Math.round(measured.rps)} req/s, read p99 ${measured.readP99.toFixed(2)} ms, ${measured.cpuUs.toFixed(1)} µs CPU/resp`,
          );
        }
      }
      loads.push(os.loadavg()[0]);
    }
    writeReport(settings, sides, results, { loadBefore, loads });
  } finally {
    for (const side of sides) await side.api.stop().catch((error) => console.error(error));
  }
}

function writeReport(settings, sides, results, { loadBefore, loads }) {
  const machine = describeMachine();
  const lines = [
    '# Mixed reads and writes',
    '',
    `${new Date().toISOString()} · ${machine.cpuModel} × ${machine.cpuCount} · Node ${machine.node} · commit ${machine.commit} · ` +
      `${ROUNDS} rounds of ${ROUND_S} s per scenario and build (after ${WARMUP_S} s of warm-up each), ${settings.connections} connections, builds alternating each round` +
      (process.env.BENCH_CACHE_TTL_S ? `, CACHE_DEFAULT_TTL_S=${process.env.BENCH_CACHE_TTL_S}` : ''),
    '',
    `Load average (1 min) before: ${loadBefore[0].toFixed(1)}; after each round: ${loads.map((load) => load.toFixed(1)).join(', ')}. ` +
      'The machine is shared: compare ratios within this run, not absolute figures across runs.',
    '',
    `Builds: ${sides.map((side) => `**${side.id}** = ${side.label}`).join('; ')}. Medians of the rounds; the ratios are to the same build's cached read, median of the per-round ratios.`,
    '',
    '| scenario | build | req/s | % of cached read req/s | read p99 ms | × cached read p99 | write p99 ms | server CPU µs / response | server write syscalls / response | req/s of each round |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const scenario of SCENARIOS) {
    for (const side of sides) {
      const runs = results.get(side.id).get(scenario.id);
      const references = results.get(side.id).get('cached') ?? [];
      const ratio = references.length ? median(runs.map((r, i) => r.rps / references[i].rps)) * 100 : undefined;
      const p99Ratio = references.length ? median(runs.map((r, i) => r.readP99 / references[i].readP99)) : undefined;
      lines.push(
        `| ${scenario.label} | ${side.id} | ${fmt(median(runs.map((r) => r.rps)), 0)} | ${fmt(ratio)} % | ${fmt(median(runs.map((r) => r.readP99)), 2)} | ` +
          `${fmt(p99Ratio, 1)} | ${fmt(scenario.writeShare ? median(runs.map((r) => r.writeP99)) : undefined, 1)} | ${fmt(median(runs.map((r) => r.cpuUs)))} | ` +
          `${fmt(runs.some((r) => r.syscw === undefined) ? undefined : median(runs.map((r) => r.syscw)), 2)} | ` +
          `${runs.map((r) => Math.round(r.rps)).join(', ')} |`,
      );
    }
  }
  lines.push('');
  const file = process.env.BENCH_RESULT_FILE ? resolve(process.env.BENCH_RESULT_FILE) : join(__dirname, 'results', 'mixed.md');
  writeFileSync(file, `${lines.join('\n')}\n`);
  console.log(readFileSync(file, 'utf8'));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
