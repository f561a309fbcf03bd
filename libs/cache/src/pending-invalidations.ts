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

  /**
   * Everything waiting, as one invalidation: one attempt per pass whatever the backlog. Tried
   * one by one, a backlog of a hundred (the writes of a failover under load) took seconds to
   * get through once Redis was back, each a round trip or a timeout, while the others kept
   * reading what the last of them was meant to delete.
   */
  private async retryAll(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const batch = this.pending;
      this.pending = [];
      const merged = mergeInvalidations(batch);
      if (await this.retry(merged)) await this.applied(merged);
      else this.pending = [merged, ...this.pending];
      if (this.pending.length === 0) this.close();
    } finally {
      this.running = false;
    }
  }
}

/** One invalidation that drops what each of `invalidations` drops. */
export function mergeInvalidations(invalidations: Invalidation[]): Invalidation {
  if (invalidations.length === 1) return invalidations[0];
  if (invalidations.some((invalidation) => invalidation.all)) return { all: true };
  const merged: Invalidation = {};
  for (const field of ['keys', 'tags', 'prefixes', 'loads'] as const) {
    const values = new Set(invalidations.flatMap((invalidation) => invalidation[field] ?? []));
    if (values.size > 0) merged[field] = [...values];
  }
  return merged;
}
