/** The last `capacity` latencies of one tier (ms), for p50/p99 without unbounded memory. */
export class LatencyWindow {
  private readonly samples: Float64Array;
  private next = 0;
  private count = 0;

  constructor(capacity = 2048) {
    this.samples = new Float64Array(capacity);
  }

  record(ms: number): void {
    this.samples[this.next] = ms;
    this.next = (this.next + 1) % this.samples.length;
    if (this.count < this.samples.length) this.count += 1;
  }

  percentiles(): { p50: number | null; p99: number | null; samples: number } {
    if (this.count === 0) return { p50: null, p99: null, samples: 0 };
    const sorted = Array.from(this.samples.subarray(0, this.count)).sort((a, b) => a - b);
    const at = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] * 1000) / 1000;
    return { p50: at(0.5), p99: at(0.99), samples: this.count };
  }

  reset(): void {
    this.next = 0;
    this.count = 0;
  }
}
