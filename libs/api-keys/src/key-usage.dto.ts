import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';

export const USAGE_GRANULARITIES = ['hour', 'day'] as const;
export const USAGE_FORMATS = ['json', 'csv', 'ndjson'] as const;

/** The window of a usage query (at most 366 days). */
export class UsageWindowQueryDto {
  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    description: 'Start (inclusive, rounded down to the granularity: the hour for routes); default: `to` minus 24 h',
  })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  from?: Date;

  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'End (exclusive); default: now' })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  to?: Date;
}

export class KeyUsageQueryDto extends UsageWindowQueryDto {
  @ApiPropertyOptional({ enum: USAGE_GRANULARITIES, default: 'hour' })
  @IsOptional()
  @IsIn(USAGE_GRANULARITIES)
  granularity?: (typeof USAGE_GRANULARITIES)[number];

  @ApiPropertyOptional({ enum: USAGE_FORMATS, default: 'json', description: 'json: one document; csv and ndjson: one row per bucket, for export' })
  @IsOptional()
  @IsIn(USAGE_FORMATS)
  format?: (typeof USAGE_FORMATS)[number];
}

/** Requests of one bucket (UTC hour or day) by outcome. */
export class KeyUsageBucketDto {
  @ApiProperty({ type: String, format: 'date-time', description: 'Start of the bucket (UTC)' }) time: string;
  @ApiProperty() allowed: number;
  @ApiProperty({ description: 'Refused with 429 (or verify RATE_LIMITED)' }) rateLimited: number;
  @ApiProperty({ description: 'Refused: no uses left' }) usageExceeded: number;
  @ApiProperty({ description: 'Refused: scope missing or address not allowed' }) forbidden: number;
  @ApiProperty() total: number;
}

export class KeyUsageDto {
  @ApiProperty({ format: 'uuid' }) keyId: string;
  @ApiProperty({ type: String, format: 'date-time' }) from: string;
  @ApiProperty({ type: String, format: 'date-time' }) to: string;
  @ApiProperty({ enum: USAGE_GRANULARITIES }) granularity: string;
  @ApiProperty({ type: [KeyUsageBucketDto], description: 'Buckets with at least one request, oldest first' }) data: KeyUsageBucketDto[];
}

export class IdentityUsageDto {
  @ApiProperty({ example: 'customer_42', description: 'The identity (the ownerId its keys share)' }) ownerId: string;
  @ApiProperty({ description: 'How many keys the identity has now; their usage is summed (a deleted key takes its usage with it)' }) keys: number;
  @ApiProperty({ type: String, format: 'date-time' }) from: string;
  @ApiProperty({ type: String, format: 'date-time' }) to: string;
  @ApiProperty({ enum: USAGE_GRANULARITIES }) granularity: string;
  @ApiProperty({ type: [KeyUsageBucketDto], description: 'Buckets with at least one request, oldest first' }) data: KeyUsageBucketDto[];
}

export class KeyRoutesQueryDto extends UsageWindowQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 10, description: 'How many routes, most requested first' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
}

export class RouteCountDto {
  @ApiProperty({ example: 'GET /api/v1/pages/:id', description: 'Method and route template' }) route: string;
  @ApiProperty({ example: 1200 }) count: number;
}

export class KeyRoutesDto {
  @ApiProperty({ format: 'uuid' }) keyId: string;
  @ApiProperty({ type: String, format: 'date-time' }) from: string;
  @ApiProperty({ type: String, format: 'date-time' }) to: string;
  @ApiProperty({ type: [RouteCountDto], description: 'Admitted requests per route in the window, most requested first' }) data: RouteCountDto[];
}
