import { Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { DAY_MS, MINUTE_WINDOW_MS } from './rate-limit-result';
import { RedisThrottlerStorage } from './redis-throttler.storage';
import { TierRateLimitGuard } from './tier-rate-limit.guard';

@Module({ providers: [RedisThrottlerStorage], exports: [RedisThrottlerStorage] })
class RateLimitStorageModule {}

/**
 * Tiered rate limiting on @nestjs/throttler: its module wires our Redis storage in; the two
 * named throttlers describe the windows every tier has (their limits come from the tier).
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      imports: [RateLimitStorageModule],
      inject: [RedisThrottlerStorage],
      useFactory: (storage: RedisThrottlerStorage) => ({
        throttlers: [
          { name: 'minute', ttl: MINUTE_WINDOW_MS, limit: 60 },
          { name: 'day', ttl: DAY_MS, limit: 1000 },
        ],
        storage,
      }),
    }),
  ],
  providers: [TierRateLimitGuard],
  exports: [TierRateLimitGuard],
})
export class RateLimitModule {}
