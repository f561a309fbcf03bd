'use strict';

const { createHistogram } = require('node:perf_hooks');
const autocannon = require('autocannon');
const { cpuMicros } = require('./server-cpu');

/**
 * Drives one target with autocannon: a warm-up whose numbers are dropped, then the measured run.
 *
 * `target` is `{ url, method?, headers?, body?, serverPid? }` (or any autocannon option); with
 * `serverPid`, the server's CPU time per response over the measured run is reported too
 * (`serverCpuUs`). Latency is taken
 * from every response at microsecond resolution (autocannon's own histogram keeps whole
 * milliseconds, too coarse for sub-millisecond targets).
 *
 * @returns {Promise<{rps:number,p50:number,p99:number,errors:number,timeouts:number,non2xx:number,
 *   requests:number,statusCodes:Record<string,number>,serverCpuUs?:number}>} latencies in ms
 */
async function measure(target, { durationS, connections, warmupS }) {
  const { serverPid, ...load } = target;
  const options = { connections, pipelining: 1, ...load };
  if (warmupS > 0) await runAutocannon({ ...options, duration: warmupS });

  const cpuBefore = serverPid && cpuMicros(serverPid);
  const latencyUs = createHistogram();
  const result = await runAutocannon({ ...options, duration: durationS }, (instance) => {
    instance.on('response', (_client, _statusCode, _bytes, responseTimeMs) => {
      latencyUs.record(Math.max(1, Math.round(responseTimeMs * 1000)));
    });
  });

  const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, stats]) => [code, stats.count]));
  const responses = Object.values(statusCodes).reduce((sum, count) => sum + count, 0);
  const cpuAfter = serverPid && cpuMicros(serverPid);
  return {
    serverCpuUs: cpuBefore !== undefined && cpuAfter !== undefined && responses ? (cpuAfter - cpuBefore) / responses : undefined,
    rps: responses / (result.duration || durationS),
    p50: responses ? latencyUs.percentile(50) / 1000 : NaN,
    p99: responses ? latencyUs.percentile(99) / 1000 : NaN,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    requests: responses,
    statusCodes,
  };
}

function runAutocannon(options, attach = () => {}) {
  return new Promise((resolve, reject) => {
    const instance = autocannon(options, (error, result) => (error ? reject(error) : resolve(result)));
    attach(instance);
  });
}

module.exports = { measure };
