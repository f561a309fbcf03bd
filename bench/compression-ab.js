'use strict';

// `npm run build && node bench/compression-ab.js`: the cached page read without and with
// `accept-encoding: br, gzip`, measured in alternating rounds against one Strata, so that drift
// in what else the machine does hits both sides alike (a single 10 s run per scenario, as the
// cache group takes, varied by ±30 % between identical runs here). Writes
// bench/results/compression-ab.md.
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');
const autocannon = require('autocannon');
const { describeMachine } = require('./lib/machine');
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
const SIDES = [
  { label: 'no accept-encoding', headers: {} },
  { label: 'accept-encoding: br, gzip', headers: { 'accept-encoding': 'br, gzip' } },
];

async function main() {
  const settings = readSettings();
  const api = await startStrata(settings, { env: { ADMIN_API_KEY: ADMIN_KEY } });
  try {
    const auth = { authorization: `Bearer ${ADMIN_KEY}` };
    const page = await createPage(api.url, { slug: 'ab', title: 'Cached', body: PAGE_BODY }, auth);
    const url = `${api.url}/api/v1/pages/${page.id}`;
    const rounds = SIDES.map(() => []);
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate which side goes first, so neither always follows the other.
      const order = round % 2 === 0 ? [0, 1] : [1, 0];
      for (const side of order) {
        const before = cpuMicros(api.pid);
        const result = await autocannon({ url, headers: { ...auth, ...SIDES[side].headers }, connections: settings.connections, duration: ROUND_S });
        const responses = result.requests.total;
        if (result.non2xx || result.errors) throw new Error(`${SIDES[side].label}: ${result.non2xx} non-2xx, ${result.errors} errors`);
        rounds[side].push({ rps: responses / ROUND_S, cpuUs: (cpuMicros(api.pid) - before) / responses });
      }
    }
    const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const summary = SIDES.map((side, index) => ({
      label: side.label,
      rps: median(rounds[index].map((r) => r.rps)),
      cpuUs: median(rounds[index].map((r) => r.cpuUs)),
      all: rounds[index].map((r) => Math.round(r.rps)).join(', '),
    }));
    const machine = describeMachine();
    const report = [
      '# Cached read with and without compression, alternating rounds',
      '',
      `${new Date().toISOString()} · ${machine.cpuModel} × ${machine.cpuCount} · Node ${machine.node} · commit ${machine.commit} · ${ROUNDS} rounds of ${ROUND_S} s per side, ${settings.connections} connections`,
      '',
      'GET /api/v1/pages/{id} (cached, admin key) against one Strata; the medians of the rounds.',
      '',
      '| request | median req/s | median server CPU µs / response | req/s of each round |',
      '| --- | ---: | ---: | --- |',
      ...summary.map((s) => `| ${s.label} | ${Math.round(s.rps).toLocaleString('en-US')} | ${s.cpuUs.toFixed(1)} | ${s.all} |`),
      '',
      `Compressed / uncompressed: ${((summary[1].rps / summary[0].rps) * 100).toFixed(1)} % of the req/s, ${((summary[1].cpuUs / summary[0].cpuUs - 1) * 100).toFixed(1)} % server CPU per response.`,
      '',
    ].join('\n');
    writeFileSync(join(__dirname, 'results', 'compression-ab.md'), report);
    console.log(report);
  } finally {
    await api.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
