'use strict';

// `npm run build && node bench/compression-ab.js`: the cached page read without and with
// `accept-encoding: br, gzip`, measured in alternating rounds against one Strata, so that drift
// in what else the machine does hits both sides alike (a single 10 s run per scenario, as the
// cache group takes, varied by ±30 % between identical runs here). The same rounds measure the
// floor pair: bare Fastify sending Strata's recorded answers (the JSON string; the compressed
// bytes) with nothing computed per request, so the ratio Strata reaches can be read against
// the ratio the HTTP stack itself allows. Writes bench/results/compression-ab.md.
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');
const autocannon = require('autocannon');
const { describeMachine } = require('./lib/machine');
const { startSameResponseFloor } = require('./lib/same-response-floor');
const { cpuMicros } = require('./lib/server-cpu');
const { readSettings } = require('./lib/settings');
const { createPage, startStrata } = require('./lib/strata');

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const ROUND_S = Number(process.env.BENCH_ROUND_S ?? 5);
const ADMIN_KEY = `sk_bench${'0123456789abcdefghijklmnopqrstuvwxyz'}`;
// About 1.4 KB of page JSON: above the 1 KB below which nothing is compressed.
const PAGE_BODY = Array.from(
  { length: 10 },
  (_, index) => `Paragraph ${index + 1}. Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore.`,
).join('\n');
const ENCODINGS = [
  { label: 'no accept-encoding', headers: {} },
  { label: 'accept-encoding: br, gzip', headers: { 'accept-encoding': 'br, gzip' } },
];

async function main() {
  const settings = readSettings();
  const api = await startStrata(settings, { env: { ADMIN_API_KEY: ADMIN_KEY } });
  const floors = [];
  try {
    const auth = { authorization: `Bearer ${ADMIN_KEY}` };
    const page = await createPage(api.url, { slug: 'ab', title: 'Cached', body: PAGE_BODY }, auth);
    const url = `${api.url}/api/v1/pages/${page.id}`;
    const sides = [];
    for (const encoding of ENCODINGS) sides.push({ server: 'Strata', label: encoding.label, url, headers: { ...auth, ...encoding.headers }, pid: api.pid });
    for (const encoding of ENCODINGS) {
      const headers = { ...auth, ...encoding.headers };
      const floor = await startSameResponseFloor(url, headers, `bare Fastify, same response (${encoding.label})`);
      floors.push(floor);
      sides.push({ server: 'bare Fastify, Strata’s recorded answer', label: encoding.label, url: `${floor.url}/`, headers, pid: floor.pid });
    }
    const rounds = sides.map(() => []);
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate the order, so no side always follows the same other one.
      const order = sides.map((_, index) => index);
      if (round % 2 === 1) order.reverse();
      for (const index of order) {
        const side = sides[index];
        const before = cpuMicros(side.pid);
        const result = await autocannon({ url: side.url, headers: side.headers, connections: settings.connections, duration: ROUND_S });
        const responses = result.requests.total;
        if (result.non2xx || result.errors) throw new Error(`${side.server}, ${side.label}: ${result.non2xx} non-2xx, ${result.errors} errors`);
        rounds[index].push({ rps: responses / ROUND_S, cpuUs: (cpuMicros(side.pid) - before) / responses });
      }
    }
    const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const summary = sides.map((side, index) => ({
      ...side,
      rps: median(rounds[index].map((r) => r.rps)),
      cpuUs: median(rounds[index].map((r) => r.cpuUs)),
      all: rounds[index].map((r) => Math.round(r.rps)).join(', '),
    }));
    const ratio = (plain, compressed) =>
      `${((compressed.rps / plain.rps) * 100).toFixed(1)} % of the req/s, ${((compressed.cpuUs / plain.cpuUs - 1) * 100).toFixed(1)} % server CPU per response`;
    const machine = describeMachine();
    const report = [
      '# Cached read with and without compression, alternating rounds',
      '',
      `${new Date().toISOString()} · ${machine.cpuModel} × ${machine.cpuCount} · Node ${machine.node} · commit ${machine.commit} · ${ROUNDS} rounds of ${ROUND_S} s per side, ${settings.connections} connections`,
      '',
      'GET /api/v1/pages/{id} (cached, admin key) against one Strata, and bare Fastify sending what that Strata answered; the medians of the rounds.',
      '',
      '| server | request | median req/s | median server CPU µs / response | req/s of each round |',
      '| --- | --- | ---: | ---: | --- |',
      ...summary.map((s) => `| ${s.server} | ${s.label} | ${Math.round(s.rps).toLocaleString('en-US')} | ${s.cpuUs.toFixed(1)} | ${s.all} |`),
      '',
      `Strata, compressed / uncompressed: ${ratio(summary[0], summary[1])}.`,
      `Floor (bare Fastify), compressed / uncompressed: ${ratio(summary[2], summary[3])}.`,
      '',
    ].join('\n');
    writeFileSync(process.env.BENCH_RESULT_FILE ?? join(__dirname, 'results', 'compression-ab.md'), report);
    console.log(report);
  } finally {
    for (const floor of floors) await floor.stop().catch(() => {});
    await api.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
