import { LatencyWindow } from './latency-window';

export type CacheCounter =
  | 'l1Hits'
  | 'l2Hits'
  | 'misses'
  | 'coalesced'
  | 'staleHits'
  | 'loads'
  | 'loadErrors'
  | 'staleIfError'
  | 'lockWaits'
  | 'lockWaitTimeouts'
  | 'l2Errors'
  | 'invalidations';

export type CacheTier = 'l1' | 'l2' | 'loader';

const COUNTERS: CacheCounter[] = [
  'l1Hits',
  'l2Hits',
  'misses',
  'coalesced',
  'staleHits',
  'loads',
  'loadErrors',
  'staleIfError',
  'lockWaits',
  'lockWaitTimeouts',
  'l2Errors',
  'invalidations',
];

/**
 * Plain counters and latency windows, cheap enough for the hit path (no label hashing); the
 * Prometheus collectors and the stats route read them.
 */
export class CacheStats {
  readonly counters = Object.fromEntries(COUNTERS.map((name) => [name, 0])) as Record<CacheCounter, number>;
  /** Counts since the process started, which Prometheus counters need (reset only clears `counters`). */
  readonly lifetime = Object.fromEntries(COUNTERS.map((name) => [name, 0])) as Record<CacheCounter, number>;
  readonly latency: Record<CacheTier, LatencyWindow> = { l1: new LatencyWindow(), l2: new LatencyWindow(), loader: new LatencyWindow() };
  resetAt = new Date();

  count(counter: CacheCounter): void {
    this.counters[counter] += 1;
    this.lifetime[counter] += 1;
  }

  time(tier: CacheTier, startedAt: number): void {
    this.latency[tier].record(performance.now() - startedAt);
  }

  /**
   * Reads served from a tier out of all reads. Every read counts once as an L1 hit, an L2 hit
   * or a miss (`coalesced` reads joined a miss already being served and are not counted again);
   * `staleHits` additionally counts the hits that were served stale.
   */
  hitRate(): number | null {
    const { l1Hits, l2Hits, misses } = this.counters;
    const reads = l1Hits + l2Hits + misses;
    return reads === 0 ? null : Math.round(((l1Hits + l2Hits) / reads) * 10_000) / 10_000;
  }

  reset(): void {
    for (const name of COUNTERS) this.counters[name] = 0;
    for (const window of Object.values(this.latency)) window.reset();
    this.resetAt = new Date();
  }
}
