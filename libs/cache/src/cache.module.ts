import { Global, Module } from '@nestjs/common';
import { CacheController } from './cache.controller';
import { CacheWarmers } from './cache-warmers';
import { CacheService } from './cache.service';
import { CompressedRepresentations } from './compressed-representations';
import { ReadPopularity } from './read-popularity';

/** The multi-level cache, injectable everywhere, and its admin routes under /api/v1/cache. */
@Global()
@Module({
  controllers: [CacheController],
  providers: [CacheService, CacheWarmers, ReadPopularity, CompressedRepresentations],
  exports: [CacheService, CacheWarmers, ReadPopularity, CompressedRepresentations],
})
export class CacheModule {}
