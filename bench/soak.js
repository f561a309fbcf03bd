'use strict';

// `node bench/soak.js` (after `npm run build`): one Strata process (API + worker, from the
// build) under mixed traffic for SOAK_DURATION_S (default 600) — reads, writes, webhook
// deliveries to a local receiver and one SSE client — sampling its RSS, heap and event-loop
// delay every SOAK_SAMPLE_S from /metrics. Writes bench/results/soak.md and exits 1 when RSS
// or event-loop delay did not stay flat, or when a request failed or an event was lost.
const { createServer } = require('node:http');
const { randomBytes } = require('node:crypto');
const { writeFileSync } = require('node:fs');
const { join, relative } = require('node:path');
const { describeMachine } = require('./lib/machine');
const { readSettings } = require('./lib/settings');
const { API_ENTRY, createPage, startStrata } = require('./lib/strata');
const { startSampler, summarise } = require('./lib/soak-sampler');
const { startTraffic } = require('./lib/soak-traffic');

const DURATION_S = Number(process.env.SOAK_DURATION_S ?? 600);
const SAMPLE_S = Number(process.env.SOAK_SAMPLE_S ?? 5);
const RPS = Number(process.env.SOAK_RPS ?? 150);
const PAGES = 500;
/** Samples in the first minute (or first fifth of a short run) are start-up: JIT, pools, caches filling. */
const WARMUP_S = Math.min(60, DURATION_S / 5);
/** "Flat": RSS grows less than this per minute after the warm-up, and event-loop p99 does not trend up. */
const MAX_RSS_SLOPE_MB_PER_MIN = 1;
const MAX_LOOP_SLOPE_MS_PER_MIN = 0.5;
const RESULT_FILE = join(__dirname, 'results', 'soak.md');
/** `npm start`'s entry from the build; SOAK_ENTRY runs another build (e.g. one kept apart from dist/). */
const ALL_ROLES_ENTRY = process.env.SOAK_ENTRY ?? join(API_ENTRY, '..', '..', 'main.js');
const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const ADMIN_KEY = 'sk_' + Array.from(randomBytes(40), (byte) => BASE62[byte % 62]).join('');
const auth = { authorization: `Bearer ${ADMIN_KEY}` };

/** Answers 204 and counts each event id once (at-least-once: a repeat is not a new event). */
async function startReceiver() {
  const ids = new Set();
  let requests = 0;
  const server = createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      requests++;
      ids.add(JSON.parse(Buffer.concat(chunks).toString('utf8')).id);
      response.writeHead(204).end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}/hook`, ids, requests: () => requests, stop: () => new Promise((resolve) => server.close(resolve)) };
}

/** One SSE client for the whole run; counts the events it is sent. */
async function connectSse(baseUrl) {
  const controller = new AbortController();
  const response = await fetch(`${baseUrl}/api/v1/events`, { headers: { ...auth, accept: 'text/event-stream' }, signal: controller.signal });
  const ids = new Set();
  void (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body) {
        for (const match of decoder.decode(chunk, { stream: true }).matchAll(/"id":"(evt_[^"]+)"/g)) ids.add(match[1]);
      }
    } catch {
      // Aborted at the end of the run.
    }
  })();
  return { ids, close: () => controller.abort() };
}

async function main() {
  const settings = readSettings();
  // Described before the run: the commit measured is the one checked out when it started.
  const machine = describeMachine();
  const receiver = await startReceiver();
  const strata = await startStrata(settings, {
    name: 'Strata (all roles)',
    script: ALL_ROLES_ENTRY,
    env: { PROCESS_ROLE: 'all', ADMIN_API_KEY: ADMIN_KEY, WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' },
  });
  let sse;
  try {
    const hook = await fetch(`${strata.url}/api/v1/webhooks`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ url: receiver.url, events: ['*'] }),
    });
    if (hook.status !== 201) throw new Error(`registering the webhook answered ${hook.status}`);
    const pageIds = [];
    for (let index = 0; index < PAGES; index++)
      pageIds.push((await createPage(strata.url, { slug: `seed-${index}`, title: `Seed ${index}`, body: 'y'.repeat(1000) }, auth)).id);
    // The seed's events are out of the way before the SSE client connects, so every event
    // after that point must reach both the webhook and the stream.
    const seedDeadline = Date.now() + 60_000;
    while (receiver.ids.size < PAGES && Date.now() < seedDeadline) await new Promise((resolve) => setTimeout(resolve, 200));
    const before = await eventCount(strata);
    sse = await connectSse(strata.url);

    console.log(`soak: ${DURATION_S} s at ${RPS} req/s against ${strata.url} (pid ${strata.pid}), sampling every ${SAMPLE_S} s`);
    const sampler = startSampler(strata.url, auth, SAMPLE_S * 1000);
    const traffic = startTraffic(strata.url, auth, pageIds, { rps: RPS });
    const progress = setInterval(() => {
      const last = sampler.samples[sampler.samples.length - 1];
      if (last)
        console.log(
          `  t=${last.t.toFixed(0)}s rss=${last.rssMb?.toFixed(1)}MB heap=${last.heapMb?.toFixed(1)}MB loop p99=${last.loopP99Ms?.toFixed(1)}ms deliveries=${receiver.requests()}`,
        );
    }, 30_000);
    await new Promise((resolve) => setTimeout(resolve, DURATION_S * 1000));
    await traffic.stop();
    sampler.stop();
    clearInterval(progress);

    // Every event the writes produced must reach the receiver and the SSE client (no loss).
    const outbox = (await eventCount(strata)) - before;
    const deadline = Date.now() + 60_000;
    while ((receiver.ids.size - before < outbox || sse.ids.size < outbox) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 500));
    const report = buildReport({
      machine,
      settings,
      samples: sampler.samples,
      stats: traffic.stats(),
      outbox,
      delivered: receiver.ids.size - before,
      deliveryRequests: receiver.requests() - before,
      streamed: sse.ids.size,
    });
    writeFileSync(RESULT_FILE, report.markdown);
    console.log(`\n${report.markdown}\nWritten to ${RESULT_FILE}`);
    return report.pass ? 0 : 1;
  } finally {
    sse?.close();
    await strata.stop();
    await receiver.stop();
  }
}

/** Page events written so far (the outbox keeps relayed rows for OUTBOX_RETENTION_HOURS). */
async function eventCount(strata) {
  const { Client } = require('pg');
  const client = new Client({ connectionString: strata.databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query(`SELECT count(*)::int AS count FROM outbox_events WHERE type LIKE 'page.%'`);
    return rows[0].count;
  } finally {
    await client.end();
  }
}

function buildReport({ machine, samples, stats, outbox, delivered, deliveryRequests, streamed }) {
  const measured = samples.filter((sample) => sample.t >= WARMUP_S && !sample.error);
  const rss = summarise(measured, 'rssMb');
  const heap = summarise(measured, 'heapMb');
  const loopP99 = summarise(measured, 'loopP99Ms');
  const loopMax = summarise(measured, 'loopMaxMs');
  const failures = Object.entries(stats.statuses).filter(([status]) => !/^[23]\d\d$/.test(status));
  const sorted = [...stats.latencies].sort((a, b) => a - b);
  const percentile = (p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
  const rssFlat = rss.slopePerMin < MAX_RSS_SLOPE_MB_PER_MIN;
  const loopFlat = loopP99.slopePerMin < MAX_LOOP_SLOPE_MS_PER_MIN;
  const lost = Math.max(0, outbox - delivered) + Math.max(0, outbox - streamed);
  const pass = rssFlat && loopFlat && failures.length === 0 && lost === 0 && samples.every((sample) => !sample.error);
  const f = (value, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
  const row = (name, s, unit) => `| ${name} (${unit}) | ${f(s.first)} | ${f(s.last)} | ${f(s.max)} | ${f(s.median)} | ${f(s.slopePerMin, 2)} |`;
  const markdown = `# Soak

${new Date().toISOString()} · commit ${machine.commit ?? 'n/a'} · ${machine.cpuModel} × ${machine.cpuCount} (shared with other engineers' work) · Node ${machine.node}

One Strata process (\`${relative(join(__dirname, '..'), ALL_ROLES_ENTRY)}\`, PROCESS_ROLE=all: API + worker) for ${DURATION_S} s at ${RPS} req/s
(35/50 GET page, 5/50 GET list, 6/50 PATCH, 2/50 POST, 2/50 DELETE; ${PAGES} pages), every write
delivered as a webhook to a local receiver and streamed to one SSE client. Sampled every ${SAMPLE_S} s from
\`/metrics\`; the table covers the ${measured.length} samples after a ${WARMUP_S} s warm-up. Run: \`npm run build && node bench/soak.js\`
(\`SOAK_DURATION_S\`, \`SOAK_RPS\`, \`SOAK_SAMPLE_S\`).

| metric | first | last | max | median | slope per min |
| --- | ---: | ---: | ---: | ---: | ---: |
${row('RSS', rss, 'MB')}
${row('heap used', heap, 'MB')}
${row('event-loop delay p99 per interval', loopP99, 'ms')}
${row('event-loop delay max per interval', loopMax, 'ms')}

| traffic | value |
| --- | --- |
| requests sent / skipped (over ${64} in flight) | ${stats.sent} / ${stats.skipped} |
| answers | ${Object.entries(stats.statuses)
    .map(([status, count]) => `${status}: ${count}`)
    .join(', ')} |
| latency p50 / p99 / max | ${f(percentile(50))} / ${f(percentile(99))} / ${f(sorted[sorted.length - 1])} ms |
| events written during the run (outbox) | ${outbox} |
| distinct events delivered to the webhook (requests incl. repeats) | ${delivered} (${deliveryRequests}) |
| distinct events on the SSE stream | ${streamed} |
| lost (goal 0) | ${lost} |

RSS ${rssFlat ? 'stayed flat' : 'did NOT stay flat'} (slope ${f(rss.slopePerMin, 2)} MB/min; limit ${MAX_RSS_SLOPE_MB_PER_MIN}),
event-loop delay ${loopFlat ? 'stayed flat' : 'did NOT stay flat'} (p99 slope ${f(loopP99.slopePerMin, 2)} ms/min; limit ${MAX_LOOP_SLOPE_MS_PER_MIN}).
**${pass ? 'PASS' : 'FAIL'}**${failures.length ? ` — failed requests: ${failures.map(([status, count]) => `${status}×${count}`).join(', ')}` : ''}
`;
  return { markdown, pass };
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
