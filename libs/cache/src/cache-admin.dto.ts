import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';

export class FlushCacheDto {
  @ApiPropertyOptional({
    type: [String],
    example: ['page:0196f0e4-8a5b-7c3d-9e2f-1a2b3c4d5e6f'],
    description: 'Drop only entries with these tags; leave out to flush everything',
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(300, { each: true })
  tags?: string[];
}

export class WarmItemDto {
  @ApiProperty({ example: 'page', description: 'Item type: page, module or media' })
  @IsString()
  @Matches(/^[a-z][a-z-]{0,30}$/, { message: 'type must be a lowercase item type such as page' })
  type: string;

  @ApiProperty({ format: 'uuid', example: '0196f0e4-8a5b-7c3d-9e2f-1a2b3c4d5e6f' })
  @IsString()
  @MaxLength(100)
  id: string;
}

export class WarmCacheDto {
  @ApiPropertyOptional({ type: [WarmItemDto], description: 'Items to load into the cache now (up to 1000). Send either `items` or `mostRead`.' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => WarmItemDto)
  items?: WarmItemDto[];

  @ApiPropertyOptional({
    minimum: 1,
    maximum: 1000,
    example: 100,
    description: 'Load the items read most over the last 24 hours, on all instances together, up to this many',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  mostRead?: number;
}

export class LatencyDto {
  @ApiProperty({ nullable: true, type: Number, description: 'milliseconds' }) p50: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'milliseconds' }) p99: number | null;
  @ApiProperty() samples: number;
}

export class TierLatencyDto {
  @ApiProperty({ type: LatencyDto, description: 'In-process reads' }) l1: LatencyDto;
  @ApiProperty({ type: LatencyDto, description: 'Redis reads' }) l2: LatencyDto;
  @ApiProperty({ type: LatencyDto, description: 'Loads from the source (PostgreSQL)' }) loader: LatencyDto;
}

export class L1UsageDto {
  @ApiProperty({ example: 120 }) entries: number;
  @ApiProperty({ example: 48000 }) bytes: number;
  @ApiProperty({ example: 10000 }) maxEntries: number;
  @ApiProperty({ example: 67108864 }) maxBytes: number;
}

export class L2UsageDto {
  @ApiProperty({ nullable: true, type: Number, example: 480, description: 'null while Redis is unavailable' }) entries: number | null;
}

export class CacheDefaultsDto {
  @ApiProperty({ example: 60, description: 'Seconds an entry is fresh' }) ttlS: number;
  @ApiProperty({ example: 300, description: 'Seconds a stale entry may still be served while it is refreshed' }) graceS: number;
}

export class CacheStatsDto {
  @ApiProperty() l1Hits: number;
  @ApiProperty() l2Hits: number;
  @ApiProperty() misses: number;
  @ApiProperty({ description: 'Reads that joined a miss already being loaded in this process' }) coalesced: number;
  @ApiProperty({ description: 'Hits served past their TTL while a refresh ran' }) staleHits: number;
  @ApiProperty({ description: 'Source loads' }) loads: number;
  @ApiProperty() loadErrors: number;
  @ApiProperty({ description: 'Failed refreshes answered with the stale value' }) staleIfError: number;
  @ApiProperty({ description: "Misses that waited for another instance's load" }) lockWaits: number;
  @ApiProperty() lockWaitTimeouts: number;
  @ApiProperty({ description: 'Redis calls that failed or timed out' }) l2Errors: number;
  @ApiProperty() invalidations: number;
  @ApiProperty({ nullable: true, type: Number, example: 0.97 }) hitRate: number | null;
  @ApiProperty({ type: L1UsageDto }) l1: L1UsageDto;
  @ApiProperty({ type: L2UsageDto }) l2: L2UsageDto;
  @ApiProperty({ type: TierLatencyDto, description: 'Read latency by tier over the recent window' }) latency: TierLatencyDto;
  @ApiProperty({ format: 'date-time' }) since: string;
}

export class CacheHealthDto {
  @ApiProperty({ enum: ['ok', 'degraded'] }) status: 'ok' | 'degraded';
  @ApiProperty({ enum: ['up', 'unavailable'] }) l2: 'up' | 'unavailable';
  @ApiProperty({ enum: ['closed', 'open', 'half-open'] }) circuit: 'closed' | 'open' | 'half-open';
  @ApiProperty({ enum: ['subscribed', 'disconnected'] }) bus: 'subscribed' | 'disconnected';
}

export class CacheSummaryDto extends CacheHealthDto {
  @ApiProperty({ nullable: true, type: Number }) hitRate: number | null;
  @ApiProperty({ type: L1UsageDto }) l1: L1UsageDto;
  @ApiProperty({ type: CacheDefaultsDto }) defaults: CacheDefaultsDto;
  @ApiProperty({ type: [String], example: ['page', 'module', 'media'], description: 'Item types POST /cache/warm accepts' }) warmableTypes: string[];
}

export class FlushResultDto {
  @ApiProperty({ example: 'tags', enum: ['all', 'tags'] }) flushed: 'all' | 'tags';
  @ApiPropertyOptional({ type: [String] }) tags?: string[];
}

export class WarmAcceptedDto {
  @ApiProperty({ example: 3, description: 'Items queued for loading' }) accepted: number;
}
