import { Injectable, Logger } from '@nestjs/common';
import { RedisConnections } from '@strata/core';

/**
 * An endpoint's `rateLimit` (deliveries per second), held across every worker: a counter per
 * endpoint and second in Redis. A delivery over the limit is told how long to wait: the jobs
 * over it are spread over the following seconds in the order they asked (the n-th one over a
 * limit of r waits for second ⌈n / r⌉), so a backlog drains at the limit instead of all asking
 * again at the next second.
 */
@Injectable()
export class EndpointThrottle {
  private readonly logger = new Logger(EndpointThrottle.name);
  private reported = false;

  constructor(private readonly redis: RedisConnections) {}

  /** 0 when the delivery may start now, else the milliseconds to wait before asking again. */
  async wait(endpointId: string, perSecond: number, now = Date.now()): Promise<number> {
    const second = Math.floor(now / 1000);
    const key = `webhooks:rate:${endpointId}:${second}`;
    let count: number;
    try {
      const results = await this.redis.client.multi().incr(key).pexpire(key, 2_000).exec();
      count = Number(results?.[0]?.[1] ?? 0);
      this.reported = false;
    } catch (error) {
      // Without Redis there is no queue to deliver from either; do not hold a delivery for this.
      if (!this.reported) this.logger.warn(`Webhook rate limit not applied: ${(error as Error).message}`);
      this.reported = true;
      return 0;
    }
    if (count <= perSecond) return 0;
    const secondsAhead = Math.ceil((count - perSecond) / perSecond);
    return (second + secondsAhead) * 1000 - now;
  }
}
