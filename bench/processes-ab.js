'use strict';

// `npm run build && node bench/processes-ab.js`: the cached read from one Strata started with
// API_PROCESSES=1 and one with API_PROCESSES=2 (a supervisor and two HTTP processes on one
// port), in alternating rounds, with where the machine's CPU went during each round: the
// server (its processes together), the load generator (autocannon, this process) and the rest
// of the machine (PostgreSQL, Redis, other work), from /proc. Writes bench/results/processes-ab.md.
const { readFileSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const { join } = require('node:path');
const autocannon = require('autocannon');
const { describeMachine } = require('./lib/machine');
const { cpuMicros } = require('./lib/server-cpu');
const { readSettings } = require('./lib/settings');
const { createPage, startStrata } = require('./lib/strata');

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const ROUND_S = Number(process.env.BENCH_ROUND_S ?? 5);
const ADMIN_KEY = `sk_bench${'0123456789abcdefghijklmnopqrstuvwxyz'}`;
const ADMIN = { authorization: `Bearer ${ADMIN_KEY}` };
const PAGE_BODY = Array.from(
  { length: 10 },
  (_, index) => `Paragraph ${index + 1}. Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore.`,
).join('\n');
const ENV = { ADMIN_API_KEY: ADMIN_KEY, RATE_LIMIT_TIERS: JSON.stringify({ load: { perMinute: 1_000_000_000, perDay: 1_000_000_000 } }) };
/** The second process boots after the first one answers; give it time before measuring. */
const SECOND_PROCESS_BOOT_MS = 10_000;

/** Busy CPU time of the whole machine so far (all cores), in microseconds, from /proc/stat. */
function machineBusyMicros() {
  const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const [user, nice, system, , , irq, softirq, steal] = fields.map(Number);
  return ((user + nice + system + irq + softirq + steal) / 100) * 1e6;
}

async function prepare(settings, processes) {
  const api = await startStrata(settings, { env: { ...ENV, API_PROCESSES: String(processes) }, name: `Strata, API_PROCESSES=${processes}` });
  if (processes > 1) await new Promise((resolve) => setTimeout(resolve, SECOND_PROCESS_BOOT_MS));
  const page = await createPage(api.url, { slug: 'processes', title: 'Cached', body: PAGE_BODY }, ADMIN);
  const response = await fetch(`${api.url}/api/v1/api-keys`, {
    method: 'POST',
    headers: { ...ADMIN, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bench processes', scopes: ['content:read'], tier: 'load' }),
  });
  const { key } = await response.json();
  return { processes, api, url: `${api.url}/api/v1/pages/${page.id}`, headers: { authorization: `Bearer ${key}` } };
}

async function round(side, connections) {
  const server = cpuMicros(side.api.pid);
  const generator = process.cpuUsage();
  const machine = machineBusyMicros();
  const result = await autocannon({ url: side.url, headers: side.headers, connections, duration: ROUND_S });
  if (result.non2xx || result.errors) throw new Error(`API_PROCESSES=${side.processes}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  const usage = process.cpuUsage(generator);
  const wallUs = ROUND_S * 1e6;
  const serverUs = cpuMicros(side.api.pid) - server;
  const generatorUs = usage.user + usage.system;
  const machineUs = machineBusyMicros() - machine;
  return {
    rps: result.requests.total / ROUND_S,
    p99: result.latency.p99,
    serverCpuUs: serverUs / result.requests.total,
    // In cores (1.0 = one core busy for the whole round).
    server: serverUs / wallUs,
    generator: generatorUs / wallUs,
    rest: Math.max(0, machineUs - serverUs - generatorUs) / wallUs,
  };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main() {
  const settings = readSettings();
  const sides = [];
  try {
    for (const processes of [1, 2]) sides.push(await prepare(settings, processes));
    const rounds = sides.map(() => []);
    const loads = [os.loadavg()[0]];
    for (let index = 0; index < ROUNDS; index++) {
      const order = index % 2 === 0 ? [0, 1] : [1, 0];
      for (const side of order) rounds[side].push(await round(sides[side], settings.connections));
      loads.push(os.loadavg()[0]);
    }
    const summary = sides.map((side, index) => {
      const of = (field) => median(rounds[index].map((r) => r[field]));
      return {
        processes: side.processes,
        ...Object.fromEntries(['rps', 'p99', 'serverCpuUs', 'server', 'generator', 'rest'].map((f) => [f, of(f)])),
        all: rounds[index],
      };
    });
    const ratios = rounds[1].map((r, i) => r.rps / rounds[0][i].rps);
    const machine = describeMachine();
    const report = [
      '# API_PROCESSES=2 against 1, alternating rounds',
      '',
      `${new Date().toISOString()} · ${machine.cpuModel} × ${machine.cpuCount} · Node ${machine.node} · commit ${machine.commit} · ${ROUNDS} rounds of ${ROUND_S} s per side, ${settings.connections} connections`,
      '',
      `Load average (1 min) before and after each round: ${loads.map((load) => load.toFixed(1)).join(', ')} (the machine is shared with other work).`,
      '',
      'GET /api/v1/pages/{id} (cached, a `load`-tier key: auth and rate limiting on every request); medians of the rounds. CPU columns are in cores ' +
        '(1.00 = one core busy for the whole round), from /proc: the server (supervisor and HTTP processes together), the load generator (autocannon, ' +
        'the runner process) and the rest of the machine (PostgreSQL, Redis, everything else running).',
      '',
      '| API_PROCESSES | req/s | p99 ms | server CPU µs / response | server cores | load generator cores | rest of the machine, cores | req/s of each round |',
      '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
      ...summary.map(
        (s) =>
          `| ${s.processes} | ${Math.round(s.rps).toLocaleString('en-US')} | ${s.p99.toFixed(1)} | ${s.serverCpuUs.toFixed(1)} | ${s.server.toFixed(2)} | ` +
          `${s.generator.toFixed(2)} | ${s.rest.toFixed(2)} | ${s.all.map((r) => Math.round(r.rps)).join(', ')} |`,
      ),
      '',
      `2 processes / 1 process: ${median(ratios).toFixed(2)}× the req/s (median of the per-round ratios: ${ratios.map((r) => r.toFixed(2)).join(', ')}).`,
      '',
    ].join('\n');
    writeFileSync(process.env.BENCH_RESULT_FILE ?? join(__dirname, 'results', 'processes-ab.md'), report);
    console.log(report);
  } finally {
    for (const side of sides) await side.api.stop().catch((error) => console.error(error));
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
