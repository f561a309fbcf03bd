'use strict';

/**
 * Samples one Strata process every few seconds from its own /metrics (prom-client's default
 * metrics): resident memory, heap used and the event-loop delay over the last interval
 * (prom-client resets its delay histogram on each scrape, so p99/max describe that interval).
 */
function startSampler(baseUrl, headers, intervalMs) {
  const samples = [];
  const startedAt = Date.now();
  const take = async () => {
    try {
      const response = await fetch(`${baseUrl}/metrics`, { headers, signal: AbortSignal.timeout(5_000) });
      const text = await response.text();
      samples.push({
        t: (Date.now() - startedAt) / 1000,
        rssMb: metric(text, 'strata_process_resident_memory_bytes') / 2 ** 20,
        heapMb: metric(text, 'strata_nodejs_heap_size_used_bytes') / 2 ** 20,
        loopP99Ms: metric(text, 'strata_nodejs_eventloop_lag_p99_seconds') * 1000,
        loopMaxMs: metric(text, 'strata_nodejs_eventloop_lag_max_seconds') * 1000,
      });
    } catch (error) {
      samples.push({ t: (Date.now() - startedAt) / 1000, error: error.message });
    }
  };
  const timer = setInterval(take, intervalMs);
  void take();
  return {
    samples,
    stop() {
      clearInterval(timer);
    },
  };
}

function metric(text, name) {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `) || candidate.startsWith(`${name}{`));
  if (!line) throw new Error(`/metrics has no ${name}`);
  return Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** Least-squares slope of `field` per minute over the samples. */
function slopePerMinute(samples, field) {
  const points = samples.filter((sample) => Number.isFinite(sample[field]));
  if (points.length < 2) return NaN;
  const meanT = points.reduce((sum, p) => sum + p.t, 0) / points.length;
  const meanY = points.reduce((sum, p) => sum + p[field], 0) / points.length;
  const covariance = points.reduce((sum, p) => sum + (p.t - meanT) * (p[field] - meanY), 0);
  const variance = points.reduce((sum, p) => sum + (p.t - meanT) ** 2, 0);
  return (covariance / variance) * 60;
}

/** first / last / max / slope of one field, over the samples after the warm-up. */
function summarise(samples, field) {
  const points = samples.filter((sample) => Number.isFinite(sample[field]));
  const values = points.map((sample) => sample[field]);
  const sorted = [...values].sort((a, b) => a - b);
  return {
    first: values[0],
    last: values[values.length - 1],
    max: Math.max(...values),
    median: sorted[Math.floor(sorted.length / 2)],
    slopePerMin: slopePerMinute(points, field),
  };
}

module.exports = { startSampler, summarise };
