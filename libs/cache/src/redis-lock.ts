import { randomBytes } from 'node:crypto';
import type { CacheEntry } from './cache-entry';
import type { HeldLock, L2Store } from './l2-store';

const LOCK_PREFIX = 'cache:lock:';

export type LockOutcome = ({ acquired: true } & HeldLock) | { acquired: false; reason: 'held' | 'unavailable' };

/** A short Redis lock per cache key, so one instance loads a cold key while the others wait. */
export class RedisLock {
  constructor(
    private readonly l2: L2Store,
    private readonly ttlMs: number,
  ) {}

  async acquire(key: string): Promise<LockOutcome> {
    const token = newToken();
    const answer = await this.l2.guard(() => this.l2.redis.set(LOCK_PREFIX + key, token, 'PX', this.ttlMs, 'NX'));
    if (answer === undefined) return { acquired: false, reason: 'unavailable' };
    return answer === 'OK' ? { acquired: true, key: LOCK_PREFIX + key, token } : { acquired: false, reason: 'held' };
  }

  /**
   * For the refresh of an entry past its TTL (`graceMs` is the grace it keeps after it): the
   * entry from Redis if another instance has refreshed it already, else the lock, in one round
   * trip where Redis allows it (see L2Store.freshOrLock).
   */
  async acquireUnlessFresh(key: string, graceMs: number, now: number): Promise<{ fresh: { entry: CacheEntry; size: number } } | LockOutcome> {
    const token = newToken();
    const answer = await this.l2.freshOrLock(key, { key: LOCK_PREFIX + key, token, ttlMs: this.ttlMs }, graceMs);
    if (answer === undefined) return { acquired: false, reason: 'unavailable' };
    if (answer.fresh && answer.fresh.entry.freshUntil > now) return { fresh: answer.fresh };
    // Redis judged it fresh by its remaining life, but it is not (it was written with a longer grace): lock as usual.
    if (answer.fresh) return this.acquire(key);
    return answer.locked ? { acquired: true, key: LOCK_PREFIX + key, token } : { acquired: false, reason: 'held' };
  }

  /** Whether some instance holds the lock of `key` (throws when Redis fails: callers guard it). */
  async isHeld(key: string): Promise<boolean> {
    return (await this.l2.redis.exists(LOCK_PREFIX + key)) === 1;
  }

  /** Releases the lock if it still holds our token (an expired lock re-taken by another instance stays theirs). */
  async release(lock: HeldLock): Promise<void> {
    await this.l2.unlock(lock);
  }
}

function newToken(): string {
  return randomBytes(16).toString('base64url');
}
