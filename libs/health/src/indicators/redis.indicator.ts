import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { RedisConnections } from '@strata/core';
import { TimeoutError, withTimeout } from '../with-timeout';

/** A healthy Redis answers PING in well under a millisecond; this only bounds a stalled one. */
const PING_TIMEOUT_MS = 500;

/**
 * The shared Redis connection answers PING. Without an offline queue a disconnected client
 * rejects at once, so a dead Redis is reported immediately, not after the timeout.
 */
@Injectable()
export class RedisIndicator {
  constructor(
    private readonly redis: RedisConnections,
    private readonly indicators: HealthIndicatorService,
  ) {}

  async check(key: string): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(key);
    const { client } = this.redis;
    try {
      await withTimeout(client.ping(), PING_TIMEOUT_MS);
    } catch (error) {
      // ioredis's own messages name hosts and ports; /health is public.
      const message = error instanceof TimeoutError ? `PING got ${error.message}` : 'PING failed';
      return indicator.down({ message, connection: client.status });
    }
    return indicator.up();
  }
}
