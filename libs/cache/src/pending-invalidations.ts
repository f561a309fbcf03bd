import type { Invalidation } from './invalidation-bus';

/** How often invalidations Redis did not take are tried again. */
export const RETRY_EVERY_MS = 100;
/** Beyond this many waiting, they are replaced by one flush of the whole cache. */
const MAX_PENDING = 1000;

/**
 * Invalidations that Redis did not take (it was unreachable, a command timed out, or on a Cluster
 * the shard holding the keys was failing over), tried again every RETRY_EVERY_MS until Redis
 * takes them. Without this an entry a committed write invalidated would stay in Redis until its
 * TTL, and every instance would keep reading it there. `retry` applies one (past the circuit
 * breaker) and answers whether Redis took it; `applied` then runs, since any instance may have
 * read the old value back from Redis in the meantime.
 */
export class PendingInvalidations {
  private pending: Invalidation[] = [];
  private timer?: NodeJS.Timeout;
  private running = false;

  constructor(
    private readonly retry: (invalidation: Invalidation) => Promise<boolean>,
    private readonly applied: (invalidation: Invalidation) => Promise<void>,
  ) {}

  get size(): number {
    return this.pending.length;
  }

  add(invalidation: Invalidation): void {
    this.pending.push(invalidation);
    if (this.pending.length > MAX_PENDING) this.pending = [{ all: true }];
    if (this.timer) return;
    this.timer = setInterval(() => void this.retryAll(), RETRY_EVERY_MS);
    this.timer.unref();
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async retryAll(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const batch = this.pending;
      this.pending = [];
      const failed: Invalidation[] = [];
      for (const invalidation of batch) {
        if (await this.retry(invalidation)) await this.applied(invalidation);
        else failed.push(invalidation);
      }
      this.pending = [...failed, ...this.pending];
      if (this.pending.length === 0) this.close();
    } finally {
      this.running = false;
    }
  }
}
