import { randomUUID } from 'node:crypto';
import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig, RedisConnections } from '@strata/core';

/**
 * How long a connection's slot lives in Redis unless its instance renews it: an instance that
 * crashed stops renewing, and its connections stop counting this long after.
 */
export const STREAM_SLOT_TTL_MS = 30_000;
const RENEW_EVERY_MS = STREAM_SLOT_TTL_MS / 3;

/**
 * One sorted set per key: member = a connection, score = when its slot expires. Expired slots are
 * dropped first, so a crashed instance's connections stop counting; then the slot is taken if the
 * key is under its limit. Answers [1, open] or [0, open, earliest expiry].
 */
const ACQUIRE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local open = redis.call('ZCARD', KEYS[1])
if open >= tonumber(ARGV[4]) then
  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {0, open, tonumber(first[2])}
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return {1, open + 1}
`;

export type StreamSlot = { granted: true; release: () => void } | { granted: false; open: number; limit: number; retryAfterS: number };

/**
 * Live-event stream connections (SSE and WebSocket) open at once per API key, counted across
 * every instance in Redis, against the key's tier (`streams` in the tier table; absent or an
 * unlimited tier: not counted). Each instance renews its own connections' slots while they are
 * open and removes them when they close. With Redis unavailable the per-key limit is not
 * enforced (the per-instance total still is): streams keep working, like reads do.
 */
@Injectable()
export class StreamConnections implements OnApplicationShutdown {
  private readonly logger = new Logger(StreamConnections.name);
  private readonly instance = randomUUID();
  private sequence = 0;
  /** This instance's slots: member → Redis key. */
  private readonly held = new Map<string, string>();
  private readonly renewal: NodeJS.Timeout;

  constructor(
    private readonly redis: RedisConnections,
    private readonly config: AppConfig,
  ) {
    this.renewal = setInterval(() => void this.renew(), RENEW_EVERY_MS);
    this.renewal.unref();
  }

  /** The key's stream limit from its tier; undefined when it has none. */
  limitFor(tier: string): number | undefined {
    return this.config.rateLimit.tiers[tier]?.streams;
  }

  async acquire(keyId: string, tier: string): Promise<StreamSlot> {
    const limit = this.limitFor(tier);
    if (limit === undefined) return { granted: true, release: () => undefined };
    const key = `events:streams:${keyId}`;
    const member = `${this.instance}:${++this.sequence}`;
    const now = Date.now();
    let answer: [number, number, number?];
    try {
      answer = (await this.redis.client.eval(ACQUIRE, 1, key, now, now + STREAM_SLOT_TTL_MS, member, limit, STREAM_SLOT_TTL_MS)) as [number, number, number?];
    } catch (error) {
      this.logger.warn(`Stream connections could not be counted, allowing this one: ${(error as Error).message}`);
      return { granted: true, release: () => undefined };
    }
    const [granted, open, earliestExpiry] = answer;
    if (!granted) {
      const retryAfterS = Math.min(STREAM_SLOT_TTL_MS / 1000, Math.max(1, Math.ceil(((earliestExpiry ?? now) - now) / 1000)));
      return { granted: false, open, limit, retryAfterS };
    }
    this.held.set(member, key);
    let released = false;
    return {
      granted: true,
      release: () => {
        if (released) return;
        released = true;
        this.held.delete(member);
        // If this fails the slot expires by itself.
        this.redis.client.zrem(key, member).catch(() => undefined);
      },
    };
  }

  onApplicationShutdown(): void {
    clearInterval(this.renewal);
  }

  private async renew(): Promise<void> {
    if (this.held.size === 0) return;
    const expiresAt = Date.now() + STREAM_SLOT_TTL_MS;
    const membersByKey = new Map<string, string[]>();
    for (const [member, key] of this.held) membersByKey.set(key, [...(membersByKey.get(key) ?? []), member]);
    try {
      // One transaction per key: keys of different API keys may live on different Cluster nodes.
      await Promise.all(
        [...membersByKey].map(([key, members]) =>
          this.redis.client
            .multi()
            // Re-added if it had expired meanwhile (Redis was out of reach longer than the TTL).
            .zadd(key, ...members.flatMap((member) => [expiresAt, member]))
            .pexpire(key, STREAM_SLOT_TTL_MS)
            .exec(),
        ),
      );
    } catch (error) {
      this.logger.warn(`Stream connection slots could not be renewed: ${(error as Error).message}`);
    }
  }
}
