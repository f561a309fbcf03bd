import { randomBytes } from 'node:crypto';
import type { L2Store } from './l2-store';

const LOCK_PREFIX = 'cache:lock:';
/** Deletes the lock only if it still holds our token: an expired lock re-taken by another instance stays theirs. */
const RELEASE_SCRIPT = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export type LockOutcome = { acquired: true; token: string } | { acquired: false; reason: 'held' | 'unavailable' };

/** A short Redis lock per cache key, so one instance loads a cold key while the others wait. */
export class RedisLock {
  constructor(
    private readonly l2: L2Store,
    private readonly ttlMs: number,
  ) {}

  async acquire(key: string): Promise<LockOutcome> {
    const token = randomBytes(16).toString('base64url');
    const answer = await this.l2.guard(() => this.l2.redis.set(LOCK_PREFIX + key, token, 'PX', this.ttlMs, 'NX'));
    if (answer === undefined) return { acquired: false, reason: 'unavailable' };
    return answer === 'OK' ? { acquired: true, token } : { acquired: false, reason: 'held' };
  }

  /** Whether some instance holds the lock of `key` (throws when Redis fails: callers guard it). */
  async isHeld(key: string): Promise<boolean> {
    return (await this.l2.redis.exists(LOCK_PREFIX + key)) === 1;
  }

  async release(key: string, token: string): Promise<void> {
    await this.l2.guard(() => this.l2.redis.eval(RELEASE_SCRIPT, 1, LOCK_PREFIX + key, token));
  }
}
