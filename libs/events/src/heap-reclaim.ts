import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** A departure smaller than this is ordinary churn: the next collections V8 makes anyway return it. */
const MIN_DEPARTED = 1000;
/** How long the count must stay down before collecting (a reconnect wave would refill the heap). */
const SETTLE_MS = 5000;
/** One full collection pauses the process (tens of ms): never more often than this. */
const MIN_INTERVAL_MS = 60_000;

/**
 * Returns the memory of subscribers that left en masse. V8 grows the heap for thousands of
 * subscribers and keeps it afterwards: with little allocating going on, nothing triggers the
 * major collection that would give it back, and RSS stays at its peak (bench/events-rss.js: 369 MB
 * 20 s after 5,000 subscribers left, against 187 MB before they came, and 182 MB after one full
 * collection). So when the subscriber count has fallen by at least half and by MIN_DEPARTED
 * since its peak, and stayed there for SETTLE_MS, one full collection is made.
 */
export class HeapReclaim {
  private count = 0;
  private peak = 0;
  private lastCollectedAt = -Infinity;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly collect: () => void = fullCollection(),
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Called with the subscriber count after every change. */
  counted(count: number): void {
    this.count = count;
    if (count > this.peak) this.peak = count;
    if (this.departedEnough() && !this.timer) this.check(SETTLE_MS);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private check(afterMs: number): void {
    this.timer = setTimeout(() => this.settled(), afterMs);
    this.timer.unref();
  }

  /** SETTLE_MS after the departure: collect if the count is still down (and the last collection long enough ago). */
  private settled(): void {
    this.timer = undefined;
    if (!this.departedEnough()) return;
    const sinceLast = this.now() - this.lastCollectedAt;
    if (sinceLast < MIN_INTERVAL_MS) return this.check(MIN_INTERVAL_MS - sinceLast);
    this.lastCollectedAt = this.now();
    this.peak = this.count;
    this.collect();
  }

  private departedEnough(): boolean {
    return this.peak - this.count >= MIN_DEPARTED && this.count <= this.peak / 2;
  }
}

/**
 * V8's full collection, without starting Node with --expose-gc: the flag set at run time exposes
 * `gc` to contexts made afterwards; done on first use, so a process that never needs it never
 * sets it. (The `expose-gc` package does only this; two lines need no dependency.)
 */
function fullCollection(): () => void {
  let gc: (() => void) | undefined;
  return () => {
    if (!gc) {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as () => void;
    }
    gc();
  };
}
