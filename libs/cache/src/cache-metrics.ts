import { Counter, Gauge, Registry } from 'prom-client';
import type { CacheService } from './cache.service';

/**
 * Prometheus views of the cache's own counters, read at scrape time: the hit path only bumps
 * plain numbers. Counters use lifetime values, so resetting the stats route does not reset them.
 */
export function registerCacheMetrics(registry: Registry, cache: CacheService): void {
  const { lifetime } = cache.stats;
  new Counter({
    name: 'strata_cache_reads_total',
    help: 'Cache reads by outcome (l1_hit, l2_hit, miss; stale counts hits served stale, coalesced joined a miss in flight)',
    labelNames: ['result'] as const,
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ result: 'l1_hit' }, lifetime.l1Hits);
      this.inc({ result: 'l2_hit' }, lifetime.l2Hits);
      this.inc({ result: 'miss' }, lifetime.misses);
      this.inc({ result: 'stale' }, lifetime.staleHits);
      this.inc({ result: 'coalesced' }, lifetime.coalesced);
    },
  });
  new Counter({
    name: 'strata_cache_loads_total',
    help: 'Loads from the source by outcome (ok, error, stale_if_error: a failed refresh answered with the stale value)',
    labelNames: ['outcome'] as const,
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ outcome: 'ok' }, lifetime.loads - lifetime.loadErrors);
      this.inc({ outcome: 'error' }, lifetime.loadErrors);
      this.inc({ outcome: 'stale_if_error' }, lifetime.staleIfError);
    },
  });
  new Counter({
    name: 'strata_cache_l2_errors_total',
    help: 'Redis calls of the cache that failed or timed out',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(lifetime.l2Errors);
    },
  });
  new Gauge({
    name: 'strata_cache_l1_entries',
    help: "Entries in this instance's L1",
    registers: [registry],
    collect() {
      this.set(cache.l1.entries);
    },
  });
  new Gauge({
    name: 'strata_cache_l1_bytes',
    help: "Bytes (encoded size) held by this instance's L1",
    registers: [registry],
    collect() {
      this.set(cache.l1.bytes);
    },
  });
  new Gauge({
    name: 'strata_cache_l2_available',
    help: '1 when the cache can use Redis (connected, circuit closed), else 0',
    registers: [registry],
    collect() {
      this.set(cache.l2.available ? 1 : 0);
    },
  });
}
