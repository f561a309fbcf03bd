import { Body, Controller, Get, HttpCode, Logger, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems, ProblemException, RequireScope } from '@strata/core';
import { CacheHealthDto, CacheStatsDto, CacheSummaryDto, FlushCacheDto, FlushResultDto, WarmAcceptedDto, WarmCacheDto } from './cache-admin.dto';
import { CacheWarmers } from './cache-warmers';
import { CacheService } from './cache.service';
import { PopularItem, ReadPopularity } from './read-popularity';

@ApiTags('cache')
@ApiProblems(400, 401, 403)
@RequireScope('cache:admin')
@Controller('cache')
export class CacheController {
  private readonly logger = new Logger(CacheController.name);

  constructor(
    private readonly cache: CacheService,
    private readonly warmers: CacheWarmers,
    private readonly popularity: ReadPopularity,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Cache summary', description: 'State of both tiers, hit rate, bounds and defaults.' })
  @ApiOkResponse({ type: CacheSummaryDto })
  summary(): CacheSummaryDto {
    const l1 = this.cache.l1;
    return {
      ...this.health(),
      hitRate: this.cache.stats.hitRate(),
      l1: { entries: l1.entries, bytes: l1.bytes, maxEntries: l1.maxEntries, maxBytes: l1.maxBytes },
      defaults: { ttlS: this.cache.defaultTtlS, graceS: this.cache.defaultGraceS },
      warmableTypes: this.warmers.types,
    };
  }

  @Get('health')
  @ApiOperation({ summary: 'Cache health', description: '`degraded` while Redis is unavailable: reads then come from L1 and the database.' })
  @ApiOkResponse({ type: CacheHealthDto })
  health(): CacheHealthDto {
    return {
      status: this.cache.status,
      l2: this.cache.l2.available ? 'up' : 'unavailable',
      circuit: this.cache.l2.breaker.state,
      bus: this.cache.bus.subscribed ? 'subscribed' : 'disconnected',
    };
  }

  @Get('stats')
  @ApiOperation({ summary: 'Cache statistics', description: 'Counters since the last reset, hit rate, tier sizes and latency percentiles.' })
  @ApiOkResponse({ type: CacheStatsDto })
  async stats(): Promise<CacheStatsDto> {
    const { stats, l1, l2 } = this.cache;
    return {
      ...stats.counters,
      hitRate: stats.hitRate(),
      l1: { entries: l1.entries, bytes: l1.bytes, maxEntries: l1.maxEntries, maxBytes: l1.maxBytes },
      l2: { entries: (await l2.countEntries()) ?? null },
      latency: { l1: stats.latency.l1.percentiles(), l2: stats.latency.l2.percentiles(), loader: stats.latency.loader.percentiles() },
      since: stats.resetAt.toISOString(),
    };
  }

  @Post('stats/reset')
  @HttpCode(200)
  @ApiOperation({ summary: 'Reset the cache statistics', description: 'Answers the statistics after the reset. Prometheus counters are not reset.' })
  @ApiOkResponse({ type: CacheStatsDto })
  async resetStats(): Promise<CacheStatsDto> {
    this.cache.stats.reset();
    return this.stats();
  }

  @Post('flush')
  @HttpCode(200)
  @ApiOperation({ summary: 'Flush the cache', description: 'Everything, or only the entries with the given tags, on every instance.' })
  @ApiOkResponse({ type: FlushResultDto })
  async flush(@Body() dto: FlushCacheDto = {}): Promise<FlushResultDto> {
    if (dto?.tags) {
      await this.cache.deleteByTag(...dto.tags);
      return { flushed: 'tags', tags: dto.tags };
    }
    await this.cache.flush();
    return { flushed: 'all' };
  }

  @Post('warm')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Preload items into the cache',
    description: 'The given items, or the most read ones of the last 24 hours. Accepted at once; the items are loaded in the background.',
  })
  @ApiAcceptedResponse({ type: WarmAcceptedDto })
  @ApiProblems(422, 503)
  async warm(@Body() dto: WarmCacheDto): Promise<WarmAcceptedDto> {
    if ((dto.items === undefined) === (dto.mostRead === undefined)) {
      throw ProblemException.badRequest('Send either items or mostRead.', { items: ['send either items or mostRead'] });
    }
    const items = dto.items ?? (await this.mostRead(dto.mostRead!));
    const idsByType = new Map<string, string[]>();
    for (const { type, id } of items) idsByType.set(type, [...(idsByType.get(type) ?? []), id]);
    const unknown = [...idsByType.keys()].filter((type) => !this.warmers.get(type));
    if (unknown.length > 0) {
      throw ProblemException.unprocessable(`Cannot warm items of type ${unknown.join(', ')}.`, {
        items: [`type must be one of: ${this.warmers.types.join(', ')}`],
      });
    }
    for (const [type, ids] of idsByType) {
      this.warmers.get(type)!(ids).catch((error: Error) => this.logger.warn(`Warming ${type} items failed: ${error.message}`));
    }
    return { accepted: items.length };
  }

  private async mostRead(limit: number): Promise<PopularItem[]> {
    try {
      // Only types that can still be warmed: a type whose module is gone is skipped, not an error.
      return (await this.popularity.mostRead(limit)).filter((item) => this.warmers.get(item.type));
    } catch {
      throw new ProblemException({ status: 503, detail: 'Read counts live in Redis, which is unavailable; send the items to warm instead.' });
    }
  }
}
