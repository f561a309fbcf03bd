'use strict';

const { fork } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { readFileSync } = require('node:fs');
const { loadavg } = require('node:os');
const { join } = require('node:path');
const { startChildServer } = require('../lib/child-server');
const { cpuMicros } = require('../lib/server-cpu');
const { API_ENTRY, startStrata } = require('../lib/strata');

/**
 * `npm start`'s entry (API + relay in one process): the writes and the fan-out share the instance.
 * BENCH_EVENTS_ENTRY runs another build of it (one kept apart from dist/ while others rebuild it).
 */
const ALL_ROLES_ENTRY = process.env.BENCH_EVENTS_ENTRY || join(API_ENTRY, '..', '..', 'main.js');
/** Another build (e.g. the commit before a change, kept apart with `cp -r dist /tmp/before`) for the `before-*` variants. */
const BEFORE_ENTRY = process.env.BENCH_EVENTS_BEFORE_ENTRY;
const BARE_SERVER_SCRIPT = join(__dirname, '..', 'servers', 'bare-live-events.js');
const SUBSCRIBERS_SCRIPT = join(__dirname, '..', 'lib', 'event-subscribers.js');
/** Subscriber processes: their parsing runs beside the runner (which writes and probes), as real clients would. */
const SUBSCRIBER_PROCESSES = 2;
/** BENCH_EVENTS_PER_SECOND=1 leaves each event's fan-out time to finish before the next: the CPU per delivery is then the cost of one write, not of a batch. */
const EVENTS_PER_SECOND = Number(process.env.BENCH_EVENTS_PER_SECOND || 10);
const SIZES = (process.env.BENCH_EVENTS_SUBSCRIBERS || '100,1000,5000,10000').split(',').map(Number);
/** Which servers and transports run at each size, in this order (so they alternate on the machine). */
const VARIANTS = (process.env.BENCH_EVENTS_VARIANTS || 'floor-sse,sse,floor-ws,ws').split(',');
/** Each size's variants run this many times over, alternating (BENCH_EVENTS_ROUNDS). */
const ROUNDS = Number(process.env.BENCH_EVENTS_ROUNDS || 1);
const IDLE_PROBE_MS = 3000;
const PROBE_GAP_MS = 20;
const SETTLE_AFTER_LEAVING_MS = 5000;
const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const ADMIN_KEY = 'sk_' + Array.from(randomBytes(40), (byte) => BASE62[byte % 62]).join('');
const auth = { authorization: `Bearer ${ADMIN_KEY}` };

const VARIANT_NAMES = {
  'floor-sse': 'bare Fastify SSE (floor)',
  sse: 'Strata SSE',
  'floor-ws': 'bare ws WebSocket (floor)',
  ws: 'Strata WebSocket',
  'before-sse': 'Strata SSE (before)',
  'before-ws': 'Strata WebSocket (before)',
};

/** The table measured before the fan-out rework (issue 18), for the report. */
const BEFORE = [
  '| subscribers | POST sent → event received p50 / p99 | /health/live p99 during the events (idle: 4-6 ms) | server RSS before → peak |',
  '| --- | --- | --- | --- |',
  '| 100 | 21 / 39 ms | 13 ms | 109 → 122 MB |',
  '| 1 000 | 40 / 80 ms | 50 ms | 124 → 163 MB |',
  '| 3 000 | 229 / 455 ms | 222 ms | 163 → 229 MB |',
  '| 6 000 | 1 663 / 2 831 ms | 884 ms | 229 → 435 MB |',
  '| 10 000 | 3 635 / 6 076 ms | 1 375 ms | 330 → 727 MB |',
].join('\n');

const findingsByScenario = new Map();
let nextPage = 0;

function rssMb(pid) {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

/** User and system CPU (µs) a process has used so far: on loopback a socket write's system time includes the receiver's TCP processing. */
function userAndSystemMicros(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // utime and stime, in clock ticks (100 per second on Linux).
  return { user: Number(fields[11]) * 10_000, system: Number(fields[12]) * 10_000 };
}

function percentile(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** One child process of subscribers, with a request/answer helper over IPC. */
function startSubscriberProcess() {
  const child = fork(SUBSCRIBERS_SCRIPT, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: ['--max-old-space-size=2048'] });
  const ask = (message, answerType) =>
    new Promise((resolve) => {
      const listener = (answer) => {
        if (answer.type !== answerType) return;
        child.off('message', listener);
        resolve(answer);
      };
      child.on('message', listener);
      child.send(message);
    });
  return {
    name: 'event subscribers',
    pid: child.pid,
    ask,
    tell: (message) => child.send(message),
    async stop() {
      if (child.exitCode !== null) return;
      child.send({ cmd: 'exit' });
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

/** Sequential GET /health/live until `stop()`; answers the latencies (ms). */
function probeHealth(url) {
  const latencies = [];
  let running = true;
  const done = (async () => {
    while (running) {
      const startedAt = performance.now();
      const response = await fetch(`${url}/health/live`);
      await response.arrayBuffer();
      latencies.push(performance.now() - startedAt);
      await sleep(PROBE_GAP_MS);
    }
  })();
  return {
    async stop() {
      running = false;
      await done;
      return latencies.sort((a, b) => a - b);
    },
  };
}

/** Strata's fan-out counters and heap (NaN for the bare server, which has no /metrics). */
async function serverTotals(url) {
  const response = await fetch(`${url}/metrics`);
  const text = response.ok ? await response.text() : '';
  const value = (name) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return {
    seconds: value('strata_events_fanout_seconds_total'),
    writes: value('strata_events_fanout_writes_total'),
    heapUsedMb: value('strata_nodejs_heap_size_used_bytes') / 1048576,
  };
}

const countWarnings = (output) => (output.match(/Command timed out|Outbox relay pass failed|could not be published/g) ?? []).length;

async function postPage(url, n) {
  const response = await fetch(`${url}/api/v1/pages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth },
    body: JSON.stringify({ slug: `bench-ev-${n}`, title: `Bench event ${n}` }),
  });
  const text = await response.text();
  if (response.status !== 201) throw new Error(`POST /api/v1/pages answered ${response.status}: ${text.slice(0, 300)}`);
}

/** Strata (one for every Strata scenario, so what it keeps after each size shows) or the bare floor server. */
async function startServer(ctx, variant) {
  if (variant.startsWith('floor')) {
    const server = await ctx.shared('bare', () => startChildServer({ name: 'bare live events', script: BARE_SERVER_SCRIPT, readyPath: '/health/live' }));
    return { ...server, idleRssMb: (server.idleRssMb ??= rssMb(server.pid)) };
  }
  const before = variant.startsWith('before');
  if (before && !BEFORE_ENTRY) throw new Error('the before-* variants need BENCH_EVENTS_BEFORE_ENTRY (the main.js of another build)');
  const server = await ctx.shared(before ? 'strata-before' : 'strata', async () => {
    const strata = await startStrata(ctx.settings, {
      env: {
        PROCESS_ROLE: 'all',
        ADMIN_API_KEY: ADMIN_KEY,
        EVENTS_MAX_SUBSCRIBERS: '20000',
        // e.g. `--cpu-prof --cpu-prof-dir=/tmp/profiles` to see where the server's time goes.
        ...(process.env.BENCH_EVENTS_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_EVENTS_NODE_OPTIONS } : {}),
      },
      name: before ? 'Strata before (api + relay)' : 'Strata (api + relay)',
      script: before ? BEFORE_ENTRY : ALL_ROLES_ENTRY,
    });
    // Idle RSS before any subscriber came, after one write warmed the write path up.
    await postPage(strata.url, nextPage++);
    await sleep(1000);
    strata.idleRssMb = rssMb(strata.pid);
    return strata;
  });
  return server;
}

/** Until the subscribers got `expected` events in all (or a minute passed: the rest counts as lost). */
async function waitForDeliveries(children, expected) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const received = (await Promise.all(children.map((child) => child.ask({ cmd: 'count' }, 'count')))).reduce((sum, answer) => sum + answer.received, 0);
    if (received >= expected) return;
    await sleep(50);
  }
}

async function setUpSubscribers(ctx) {
  const children = [];
  for (let index = 0; index < SUBSCRIBER_PROCESSES; index++) children.push(await ctx.shared(`subscribers-${index}`, async () => startSubscriberProcess()));
  return children;
}

function scenarioFor(size, variant, round) {
  const transport = variant.endsWith('ws') ? 'ws' : 'sse';
  const name = `${VARIANT_NAMES[variant]}, ${size.toLocaleString('en-US')} subscribers, ${EVENTS_PER_SECOND} events/s${ROUNDS > 1 ? ` (round ${round + 1})` : ''}`;
  return {
    name,
    async drive(ctx) {
      const api = await startServer(ctx, variant);
      const children = await setUpSubscribers(ctx);
      const eventCount = EVENTS_PER_SECOND * ctx.settings.durationS;
      const rssBefore = rssMb(api.pid);
      const loadBefore = loadavg()[0];
      const share = (index) => Math.floor(size / children.length) + (index < size % children.length ? 1 : 0);
      const url = transport === 'ws' ? `${api.url.replace(/^http/, 'ws')}/api/v1/events/ws?types=page.*` : `${api.url}/api/v1/events?types=page.*`;
      const connected = await Promise.all(
        children.map((child, index) => child.ask({ cmd: 'connect', url, headers: auth, count: share(index), transport }, 'connected')),
      );
      const failedToConnect = connected.reduce((sum, answer) => sum + answer.failed, 0);
      if (failedToConnect > 0) throw new Error(`${failedToConnect} of ${size} subscribers could not connect`);

      // Warm-up (BENCH_WARMUP_S of events, not counted): the first events after a connect warm the JIT and the sockets up.
      const warmupEvents = EVENTS_PER_SECOND * ctx.settings.warmupS;
      for (let index = 0; index < warmupEvents; index++) {
        const n = nextPage++;
        for (const child of children) child.tell({ cmd: 'sent', n, at: Date.now() });
        await postPage(api.url, n);
        await sleep(1000 / EVENTS_PER_SECOND);
      }
      await waitForDeliveries(children, warmupEvents * size);
      await Promise.all(children.map((child) => child.ask({ cmd: 'report' }, 'report')));

      const idleProbe = probeHealth(api.url);
      await sleep(IDLE_PROBE_MS);
      const idleHealth = await idleProbe.stop();

      const warningsBefore = countWarnings(api.output());
      const cpuBefore = cpuMicros(api.pid);
      const splitBefore = userAndSystemMicros(api.pid);
      const clientCpuBefore = children.reduce((sum, child) => sum + cpuMicros(child.pid), 0);
      const runnerCpuBefore = process.cpuUsage();
      const totalsBefore = await serverTotals(api.url);
      let rssPeak = rssMb(api.pid);
      const rssSampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssMb(api.pid))), 100);
      const probe = probeHealth(api.url);
      const startedAt = Date.now();
      const posts = [];
      for (let index = 0; index < eventCount; index++) {
        await sleep(Math.max(0, startedAt + (index * 1000) / EVENTS_PER_SECOND - Date.now()));
        const n = nextPage++;
        const at = Date.now();
        for (const child of children) child.tell({ cmd: 'sent', n, at });
        posts.push(postPage(api.url, n));
      }
      await Promise.all(posts);
      const expected = eventCount * size;
      await waitForDeliveries(children, expected);
      const allReceivedAt = Date.now();
      const health = await probe.stop();
      clearInterval(rssSampler);
      const cpuUs = cpuMicros(api.pid) - cpuBefore;
      const splitAfter = userAndSystemMicros(api.pid);
      const delivered = Math.max(1, expected);
      const serverSplit = `server CPU per delivery ${((splitAfter.user - splitBefore.user) / delivered).toFixed(1)} µs user + ${((splitAfter.system - splitBefore.system) / delivered).toFixed(1)} µs system; `;
      const clientCpuUs = children.reduce((sum, child) => sum + cpuMicros(child.pid), 0) - clientCpuBefore;
      const runnerCpu = process.cpuUsage(runnerCpuBefore);
      const windowS = (allReceivedAt - startedAt) / 1000;
      const totalsAfter = await serverTotals(api.url);
      const warnings = countWarnings(api.output()) - warningsBefore;

      const reports = await Promise.all(children.map((child) => child.ask({ cmd: 'report' }, 'report')));
      const latencies = reports.flatMap((report) => report.latencies).sort((a, b) => a - b);
      const lost = expected - reports.reduce((sum, report) => sum + report.received, 0);
      const duplicates = reports.reduce((sum, report) => sum + report.duplicates, 0);
      await Promise.all(children.map((child) => child.ask({ cmd: 'close' }, 'closed')));
      await sleep(SETTLE_AFTER_LEAVING_MS);
      const rssAfter = rssMb(api.pid);
      const heapAfter = (await serverTotals(api.url)).heapUsedMb;

      const writes = totalsAfter.writes - totalsBefore.writes;
      const perSubscriberUs = writes > 0 ? ((totalsAfter.seconds - totalsBefore.seconds) / writes) * 1e6 : NaN;
      const percentOfCore = (micros) => `${((micros / 1e6 / windowS) * 100).toFixed(0)} %`;
      const fanOut = Number.isNaN(perSubscriberUs)
        ? ''
        : `fan-out ${perSubscriberUs.toFixed(1)} µs per subscriber per event (strata_events_fanout_*); V8 heap used ${totalsBefore.heapUsedMb.toFixed(0)} MB before the events → ${heapAfter.toFixed(0)} MB after they left; `;
      findingsByScenario.set(name, [
        `delivery p50 / p99 ${percentile(latencies, 50).toFixed(0)} / ${percentile(latencies, 99).toFixed(0)} ms; ` +
          `/health/live p99 ${percentile(health, 99).toFixed(1)} ms during the events (p50 ${percentile(health, 50).toFixed(1)}; idle p99 ${percentile(idleHealth, 99).toFixed(1)} ms with the subscribers connected); ` +
          `lost ${lost} of ${expected}, ${duplicates} duplicates; "Command timed out" / relay / publish warnings: ${warnings}; ` +
          `RSS idle before any subscriber → before → peak → ${SETTLE_AFTER_LEAVING_MS / 1000} s after they left: ${api.idleRssMb.toFixed(0)} → ${rssBefore.toFixed(0)} → ${rssPeak.toFixed(0)} → ${rssAfter.toFixed(0)} MB; ` +
          fanOut +
          serverSplit +
          `CPU over the ${windowS.toFixed(1)} s from the first POST to the last event received (% of one core): server ${percentOfCore(cpuUs)}, ` +
          `subscriber processes ${percentOfCore(clientCpuUs)}, runner ${percentOfCore(runnerCpu.user + runnerCpu.system)}; ` +
          `machine load average (1 min) ${loadBefore.toFixed(1)} before, ${loadavg()[0].toFixed(1)} after (2 cores)`,
      ]);
      return {
        rps: (expected - lost) / windowS,
        p50: percentile(latencies, 50),
        p99: percentile(latencies, 99),
        requests: expected - lost,
        // A lost event fails the scenario, like a failed request would.
        errors: lost,
        timeouts: 0,
        non2xx: 0,
        statusCodes: { 200: expected - lost },
        // The server's whole CPU (the write, the relay, the fan-out) per event delivered.
        serverCpuUs: cpuUs / Math.max(1, expected - lost),
      };
    },
    findings: async () => findingsByScenario.get(name) ?? [],
  };
}

module.exports = {
  name: 'events',
  description:
    `Live events fan-out on one Strata process (API + relay; PROCESS_ROLE=all): N subscribers to \`/api/v1/events?types=page.*\` (SSE) or ` +
    `\`/api/v1/events/ws?types=page.*\` (WebSocket) held by ${SUBSCRIBER_PROCESSES} child processes of the runner, while the runner POSTs ` +
    `${EVENTS_PER_SECOND} pages per second for the measured seconds and probes GET /health/live one request after another (${PROBE_GAP_MS} ms apart). ` +
    `"req/s" = event deliveries per second (events × subscribers, until the last arrived); p50/p99 = POST sent → event received, over every ` +
    `subscriber and event; "errors" = events lost; "server CPU µs / response" = the server's CPU per delivery. The floor rows run the same ` +
    `subscribers and POSTs against bare Fastify (bench/servers/bare-live-events.js), which writes an event of the same size to every ` +
    `subscriber in one loop on each POST, with no database, relay or Redis behind it. Variants alternate at each size. The sizes run one after ` +
    `another on the same Strata process (so RSS after each shows what it kept). Subscribers, runner, PostgreSQL, Redis and the servers share the 2 cores.` +
    `\n\nBefore the rework (issue 18; one run per size, 50 writes 100 ms apart, one client process):\n\n${BEFORE}`,
  scenarios: Array.from({ length: ROUNDS }, (_, round) => SIZES.flatMap((size) => VARIANTS.map((variant) => scenarioFor(size, variant, round)))).flat(),
};
