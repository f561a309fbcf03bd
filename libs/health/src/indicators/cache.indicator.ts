import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { CacheService } from '@strata/cache';

/** The cache's own state for /health: down (never critical) while it runs on L1 and the database alone. */
@Injectable()
export class CacheIndicator {
  constructor(
    private readonly cache: CacheService,
    private readonly indicators: HealthIndicatorService,
  ) {}

  check(key: string) {
    const indicator = this.indicators.check(key);
    const details = {
      l2: this.cache.l2.available ? 'up' : 'unavailable',
      circuit: this.cache.l2.breaker.state,
      bus: this.cache.bus.subscribed ? 'subscribed' : 'disconnected',
      l1Entries: this.cache.l1.entries,
    };
    return this.cache.status === 'ok' ? indicator.up(details) : indicator.down(details);
  }
}
