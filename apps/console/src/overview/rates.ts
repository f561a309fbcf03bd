import { Sample, sumOf } from './prometheus';

/** The counters and gauges the overview charts, read from one scrape of /metrics. */
export interface MetricsSnapshot {
  at: number;
  requests: number;
  serverErrors: number;
  l1Hits: number;
  l2Hits: number;
  cacheReads: number;
  deliveryAttempts: number;
  queueDepth: number;
  outboxBacklog: number;
}

export function snapshotOf(samples: Sample[], at: number): MetricsSnapshot {
  const reads = (result: string) => sumOf(samples, 'strata_cache_reads_total', { result });
  return {
    at,
    requests: sumOf(samples, 'strata_http_request_duration_seconds_count'),
    serverErrors: sumOf(samples, 'strata_http_request_duration_seconds_count', { status_code: /^5/ }),
    l1Hits: reads('l1_hit'),
    l2Hits: reads('l2_hit'),
    cacheReads: reads('l1_hit') + reads('l2_hit') + reads('miss') + reads('stale') + reads('coalesced'),
    deliveryAttempts: sumOf(samples, 'strata_webhook_attempts_total'),
    queueDepth: sumOf(samples, 'strata_webhook_queue_jobs', { state: /^(waiting|active|delayed)$/ }),
    outboxBacklog: sumOf(samples, 'strata_outbox_pending_events'),
  };
}

/** What happened between two scrapes, per second or as a share; null where nothing was counted. */
export interface Rates {
  at: number;
  requestsPerS: number;
  errorRate: number | null;
  l1HitRate: number | null;
  l2HitRate: number | null;
  deliveriesPerS: number;
  queueDepth: number;
  outboxBacklog: number;
}

export function ratesBetween(before: MetricsSnapshot, after: MetricsSnapshot): Rates {
  const seconds = Math.max((after.at - before.at) / 1000, 0.001);
  // A counter that went down means the process restarted: count from zero.
  const delta = (key: keyof MetricsSnapshot) => (after[key] >= before[key] ? after[key] - before[key] : after[key]);
  const requests = delta('requests');
  const reads = delta('cacheReads');
  return {
    at: after.at,
    requestsPerS: requests / seconds,
    errorRate: requests > 0 ? delta('serverErrors') / requests : null,
    l1HitRate: reads > 0 ? delta('l1Hits') / reads : null,
    l2HitRate: reads > 0 ? delta('l2Hits') / reads : null,
    deliveriesPerS: delta('deliveryAttempts') / seconds,
    queueDepth: after.queueDepth,
    outboxBacklog: after.outboxBacklog,
  };
}
