import { parsePrometheus } from './prometheus';
import { ratesBetween, snapshotOf } from './rates';

const scrape = (requests: number, errors: number, l1: number, l2: number, misses: number, attempts: number) => `
# HELP strata_http_request_duration_seconds HTTP latency
strata_http_request_duration_seconds_count{method="GET",route="/api/v1/pages",status_code="200"} ${requests - errors}
strata_http_request_duration_seconds_count{method="GET",route="/api/v1/pages",status_code="503"} ${errors}
strata_cache_reads_total{result="l1_hit"} ${l1}
strata_cache_reads_total{result="l2_hit"} ${l2}
strata_cache_reads_total{result="miss"} ${misses}
strata_webhook_attempts_total{outcome="success"} ${attempts}
strata_webhook_queue_jobs{state="waiting"} 3
strata_webhook_queue_jobs{state="delayed"} 2
strata_webhook_queue_jobs{state="failed"} 9
strata_outbox_pending_events 4
`;

describe('overview rates from /metrics', () => {
  it('parses labels (escapes included) and values', () => {
    expect(parsePrometheus('a_total{x="1",y="q\\"uote"} 2.5\n# comment\nb 3')).toEqual([
      { name: 'a_total', labels: { x: '1', y: 'q"uote' }, value: 2.5 },
      { name: 'b', labels: {}, value: 3 },
    ]);
  });

  it('turns two scrapes into per-second rates and shares; queue depth leaves failed jobs out', () => {
    const before = snapshotOf(parsePrometheus(scrape(100, 0, 10, 0, 0, 5)), 0);
    const after = snapshotOf(parsePrometheus(scrape(120, 2, 16, 2, 2, 9)), 2000);
    expect(ratesBetween(before, after)).toEqual({
      at: 2000,
      requestsPerS: 10,
      errorRate: 0.1,
      l1HitRate: 0.6,
      l2HitRate: 0.2,
      deliveriesPerS: 2,
      queueDepth: 5,
      outboxBacklog: 4,
    });
  });

  it('reports no share without traffic, and counts from zero after a restart', () => {
    const before = snapshotOf(parsePrometheus(scrape(100, 0, 10, 0, 0, 5)), 0);
    expect(ratesBetween(before, { ...before, at: 1000 })).toMatchObject({ requestsPerS: 0, errorRate: null, l1HitRate: null });
    const restarted = snapshotOf(parsePrometheus(scrape(4, 0, 1, 0, 1, 0)), 1000);
    expect(ratesBetween(before, restarted)).toMatchObject({ requestsPerS: 4, l1HitRate: 0.5 });
  });
});
