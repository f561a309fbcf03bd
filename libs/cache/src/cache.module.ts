import { Global, Module } from '@nestjs/common';
import { CacheController } from './cache.controller';
import { CacheWarmers } from './cache-warmers';
import { CacheService } from './cache.service';

/** The multi-level cache, injectable everywhere, and its admin routes under /api/v1/cache. */
@Global()
@Module({
  controllers: [CacheController],
  providers: [CacheService, CacheWarmers],
  exports: [CacheService, CacheWarmers],
})
export class CacheModule {}
