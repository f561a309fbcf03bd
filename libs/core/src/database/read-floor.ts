import type { RedisClient } from '../redis/redis-keyspace';
import { walPositionFromKey, walPositionKey, type WalPosition } from './wal-position';

const FLOOR_KEY = 'db:read-floor';

// Keys are fixed-width hex, so string order is position order; only ever raised.
const RAISE_SCRIPT = `local current = redis.call('GET', KEYS[1])
if not current or current < ARGV[1] then redis.call('SET', KEYS[1], ARGV[1]) end
return 1`;

/**
 * The WAL position every instance's replica reads must have reached: the end of the newest
 * commit any instance has made (shared in Redis, one key).
 *
 * This is what keeps a lagging replica from putting an old version back in the cache. A write
 * raises the floor after its commit and before it invalidates the cache, so a cache load that
 * starts after the invalidation reads a replica only if that replica has replayed the commit.
 * A load that started earlier is the cache's own business, exactly as with one database: an
 * invalidation arriving while it runs stops its result from being stored, and one arriving
 * just after it stored deletes what it stored (CacheService, `markLoads` and `recentStores`).
 */
export class ReadFloor {
  /** What this instance raised it to: holds even while Redis is away. */
  private local: WalPosition = 0n;

  constructor(private readonly redis: RedisClient) {}

  async raise(position: WalPosition): Promise<void> {
    if (position > this.local) this.local = position;
    await this.redis.eval(RAISE_SCRIPT, 1, FLOOR_KEY, walPositionKey(position));
  }

  /** The floor, or undefined when it cannot be known now (Redis unavailable): then read the primary. */
  async current(): Promise<WalPosition | undefined> {
    let shared: string | null;
    try {
      shared = await this.redis.get(FLOOR_KEY);
    } catch {
      return undefined;
    }
    const fromPeers = shared ? walPositionFromKey(shared) : 0n;
    return fromPeers > this.local ? fromPeers : this.local;
  }
}
