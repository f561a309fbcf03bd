import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsISO8601, IsString, MaxLength } from 'class-validator';

export class WindowStatsDto {
  @ApiProperty({ example: 120, description: 'Attempts made in the window' }) attempts: number;
  @ApiProperty({ example: 118 }) succeeded: number;
  @ApiProperty({ example: 2 }) failed: number;
  @ApiProperty({ nullable: true, type: Number, example: 0.983, description: 'succeeded / attempts; null without attempts' }) successRate: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 41, description: 'Median attempt duration, ms' }) p50LatencyMs: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 380, description: '99th percentile attempt duration, ms' }) p99LatencyMs: number | null;
}

export class LastFailureDto {
  @ApiProperty({ format: 'date-time' }) attemptedAt: string;
  @ApiProperty({ format: 'uuid' }) deliveryId: string;
  @ApiProperty({ example: 'evt_0196f0e48a5b7c3d9e2f1a2b3c4d5e6f' }) eventId: string;
  @ApiProperty({ nullable: true, type: Number, example: 503 }) statusCode: number | null;
  @ApiProperty({ nullable: true, type: String, example: 'timed out after 10000 ms' }) error: string | null;
}

export class WebhookStatsDto {
  @ApiProperty({ format: 'uuid' }) endpointId: string;
  @ApiProperty({ type: WindowStatsDto, description: 'The last hour' }) '1h': WindowStatsDto;
  @ApiProperty({ type: WindowStatsDto, description: 'The last 24 hours' }) '24h': WindowStatsDto;
  @ApiProperty({ type: WindowStatsDto, description: 'The last 7 days' }) '7d': WindowStatsDto;
  @ApiProperty({ type: LastFailureDto, nullable: true, description: 'The most recent failed attempt still in the log' }) lastFailure: LastFailureDto | null;
}

export class RecoverWebhookDto {
  @ApiProperty({
    format: 'date-time',
    example: '2026-01-15T09:00:00Z',
    description: 'Re-send the deliveries that failed and were created at or after this time',
  })
  @IsISO8601({ strict: true })
  since: string;
}

export class ReplayWebhookDto {
  @ApiProperty({
    format: 'date-time',
    example: '2026-01-15T09:00:00Z',
    description: 'Re-send the events recorded at or after this time (within OUTBOX_RETENTION_HOURS)',
  })
  @IsISO8601({ strict: true })
  since: string;

  @ApiProperty({ type: [String], example: ['page.*'], description: 'Event types or wildcards of the catalog; only those the endpoint subscribes to are sent' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  types: string[];
}

/** A recover or replay job (Svix calls these background tasks). */
export class WebhookReplayDto {
  @ApiProperty({ format: 'uuid', description: 'Job id; read progress at GET /webhooks/{id}/replays/{jobId}' }) id: string;
  @ApiProperty({ format: 'uuid' }) endpointId: string;
  @ApiProperty({ enum: ['recover', 'replay'] }) kind: 'recover' | 'replay';
  @ApiProperty({ enum: ['running', 'finished'], description: 'finished once none of its deliveries is pending' }) status: 'running' | 'finished';
  @ApiProperty({ format: 'date-time' }) since: string;
  @ApiPropertyOptional({ type: [String], nullable: true, description: 'The types asked for (replay only)' }) types: string[] | null;
  @ApiProperty({ example: 42, description: 'Deliveries the job queued' }) total: number;
  @ApiProperty({ example: 10 }) pending: number;
  @ApiProperty({ example: 30 }) succeeded: number;
  @ApiProperty({ example: 2 }) failed: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}
