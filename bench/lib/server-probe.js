'use strict';

// Preloaded into a benchmarked server (`NODE_OPTIONS=--require bench/lib/server-probe.js`, with
// BENCH_PROBE_FILE set) to see where its time goes without changing its code: event-loop delay
// (perf_hooks.monitorEventLoopDelay), how many queries waited for a pooled PostgreSQL connection,
// and the latency of each kind of PostgreSQL query and Redis command as the process saw it
// (queueing in the process included). `BENCH_PROBE_RESET` (a signal name, default SIGUSR2)
// starts the counts again, so the set-up can be left out; on exit the summary is written to
// BENCH_PROBE_FILE as JSON. With BENCH_PROBE_CPU_PROFILE set, the same signal also starts a V8
// CPU profile (node:inspector), written there as a .cpuprofile on exit (open it in Chrome
// DevTools or speedscope).
const { writeFileSync } = require('node:fs');
const { Session } = require('node:inspector');
const { createHistogram, monitorEventLoopDelay } = require('node:perf_hooks');

const file = process.env.BENCH_PROBE_FILE;
const fromApp = (name) => require(require.resolve(name, { paths: [process.cwd()] }));

let loop;
let timings;
let poolWaits;
const pools = new Set();
const cpuProfileFile = process.env.BENCH_PROBE_CPU_PROFILE;
let session;

function reset() {
  loop?.disable();
  loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  timings = new Map();
  poolWaits = { samples: 0, waitingSum: 0, waitingMax: 0, totalMax: 0 };
}

/** The main thread's own inspector session answers synchronously, so this also works in an exit handler. */
function startCpuProfile() {
  if (!cpuProfileFile || session) return;
  session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 200 });
  session.post('Profiler.start');
}

function writeCpuProfile() {
  if (!session) return;
  session.post('Profiler.stop', (error, result) => {
    if (!error) writeFileSync(cpuProfileFile, JSON.stringify(result.profile));
  });
}

function time(name, startedAt) {
  let histogram = timings.get(name);
  if (!histogram) timings.set(name, (histogram = createHistogram()));
  histogram.record(Math.max(1, Math.round((performance.now() - startedAt) * 1000)));
}

/** `SELECT …` → `SELECT`, `INSERT INTO outbox_events …` → `INSERT outbox_events`: few enough names to read. */
function queryName(text) {
  const words = String(text).trim().split(/\s+/);
  const verb = words[0].toUpperCase();
  if (verb === 'INSERT' || verb === 'DELETE') return `${verb} ${words[2]}`;
  if (verb === 'UPDATE') return `UPDATE ${words[1]}`;
  if (verb === 'SELECT') {
    const from = words.findIndex((word) => word.toUpperCase() === 'FROM');
    return from > 0 ? `SELECT ${words[from + 1]}` : `SELECT ${words.slice(1, 3).join(' ')}`;
  }
  return verb;
}

function instrument() {
  const pg = fromApp('pg');
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function probedQuery(config, ...rest) {
    const startedAt = performance.now();
    const name = `pg ${queryName(typeof config === 'string' ? config : config?.text)}`;
    const result = query.call(this, config, ...rest);
    if (result && typeof result.then === 'function')
      result.then(
        () => time(name, startedAt),
        () => time(name, startedAt),
      );
    return result;
  };
  const connect = pg.Pool.prototype.connect;
  pg.Pool.prototype.connect = function probedConnect(...args) {
    pools.add(this);
    return connect.apply(this, args);
  };

  const Redis = fromApp('ioredis');
  const sendCommand = Redis.prototype.sendCommand;
  Redis.prototype.sendCommand = function probedSendCommand(command, ...rest) {
    const startedAt = performance.now();
    const result = sendCommand.call(this, command, ...rest);
    command.promise?.then(
      () => time(`redis ${command.name}`, startedAt),
      () => time(`redis ${command.name}`, startedAt),
    );
    return result;
  };
}

function summary() {
  const ms = (histogram, p) => Number((histogram.percentile(p) / 1000).toFixed(3));
  const operations = [...timings]
    .map(([name, histogram]) => ({
      name,
      count: histogram.count,
      p50: ms(histogram, 50),
      p99: ms(histogram, 99),
      max: Number((histogram.max / 1000).toFixed(3)),
    }))
    .sort((a, b) => b.count - a.count);
  return {
    eventLoopDelayMs: { p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6, mean: loop.mean / 1e6 },
    pool: { ...poolWaits, waitingMean: poolWaits.samples ? poolWaits.waitingSum / poolWaits.samples : 0 },
    operations,
  };
}

if (file) {
  reset();
  instrument();
  setInterval(() => {
    for (const pool of pools) {
      poolWaits.samples += 1;
      poolWaits.waitingSum += pool.waitingCount;
      poolWaits.waitingMax = Math.max(poolWaits.waitingMax, pool.waitingCount);
      poolWaits.totalMax = Math.max(poolWaits.totalMax, pool.totalCount);
    }
  }, 5).unref();
  process.on(process.env.BENCH_PROBE_RESET || 'SIGUSR2', () => {
    reset();
    startCpuProfile();
  });
  process.on('exit', () => {
    writeFileSync(file, JSON.stringify(summary(), null, 2));
    writeCpuProfile();
  });
}
