import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { CursorWindowDto, Omittable } from '@strata/core';
import { TAG_PATTERN } from '@strata/content';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';

/** More tags than this in one filter is not a subscription but a list to search. */
const MAX_FILTER_TAGS = 20;

export class WebhookFiltersDto {
  @ApiPropertyOptional({
    type: [String],
    minItems: 1,
    maxItems: MAX_FILTER_TAGS,
    example: ['blog'],
    description:
      'Only events about content items (pages, modules, media) that carry at least one of these tags (exact match; for `*.deleted` the item as it was). Events that carry no tags (relationships, `webhook.*`) are not filtered by it',
  })
  @Omittable()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_FILTER_TAGS)
  @ArrayUnique()
  @IsString({ each: true })
  @Matches(TAG_PATTERN, { each: true, message: 'each tag must be 1-64 letters, digits, spaces or _ : . / -' })
  tags?: string[];
}

export class CreateWebhookDto {
  @ApiProperty({
    example: 'https://example.com/hooks/strata',
    maxLength: 2048,
    description: 'http(s) URL without credentials; https unless private targets are allowed',
  })
  @IsString()
  @MaxLength(2048)
  url: string;

  @ApiProperty({
    type: [String],
    example: ['page.*', 'media.uploaded'],
    description: 'Event types of the catalog (`GET /api/v1/event-types`), `resource.*` wildcards or `*`; anything else is refused with 422',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  events: string[];

  @ApiPropertyOptional({ example: 'Rebuild the static site', maxLength: 500, default: '' })
  @Omittable()
  @IsString()
  @MaxLength(500)
  description?: string;

  @ApiPropertyOptional({ default: true })
  @Omittable()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: 1,
    maximum: 10000,
    example: 10,
    description:
      'Most deliveries per second to this endpoint, across every worker (retries included); null or left out: no limit beyond the shared delivery slots',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10000)
  rateLimit?: number | null;

  @ApiPropertyOptional({
    default: false,
    description: 'Strict order: one delivery at a time, in event order; a delivery waiting for a retry holds back every later one (head-of-line blocking)',
  })
  @Omittable()
  @IsBoolean()
  fifo?: boolean;

  @ApiPropertyOptional({
    type: WebhookFiltersDto,
    description: 'Narrows the subscription beyond its event types; `{}` (the default) filters nothing. PATCH replaces the whole object',
  })
  @Omittable()
  @IsObject()
  @ValidateNested()
  @Type(() => WebhookFiltersDto)
  filters?: WebhookFiltersDto;
}

export class UpdateWebhookDto extends PartialType(CreateWebhookDto, { skipNullProperties: false }) {}

export class WebhookListQueryDto extends CursorWindowDto {}

/** Search of the delivery log: by event, by outcome, by when the event was delivered first. */
export class WebhookDeliveryQueryDto extends CursorWindowDto {
  @ApiPropertyOptional({ example: 'evt_0196f0e48a5b7c3d9e2f1a2b3c4d5e6f', description: 'Only the delivery of this event' })
  @IsOptional()
  @Matches(/^evt_[0-9a-f]{32}$/, { message: 'eventId must be an event id (evt_ and 32 hex digits)' })
  eventId?: string;

  @ApiPropertyOptional({ enum: ['pending', 'succeeded', 'failed'] })
  @IsOptional()
  @IsIn(['pending', 'succeeded', 'failed'])
  status?: 'pending' | 'succeeded' | 'failed';

  @ApiPropertyOptional({ format: 'date-time', description: 'Deliveries created at or after this time' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Deliveries created before this time' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}

export class WebhookDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'https://example.com/hooks/strata' }) url: string;
  @ApiProperty({ type: [String], example: ['page.*'] }) events: string[];
  @ApiProperty({ example: '' }) description: string;
  @ApiProperty() active: boolean;
  @ApiProperty({ nullable: true, type: String, description: 'Why the endpoint was disabled automatically' }) disabledReason: string | null;
  @ApiProperty({ description: 'Failed attempts since the last successful one' }) failureCount: number;
  @ApiProperty({ nullable: true, type: Number, example: 10, description: 'Most deliveries per second; null: no limit' }) rateLimit: number | null;
  @ApiProperty({ description: 'Strict order, one delivery at a time' }) fifo: boolean;
  @ApiProperty({ type: WebhookFiltersDto, description: 'Subscription filters; `{}`: none' }) filters: WebhookFiltersDto;
  @ApiProperty({ nullable: true, type: String, format: 'date-time', description: 'Until when the previous secret still signs (after a rotation)' })
  previousSecretExpiresAt: string | null;
  @ApiProperty() version: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

/** Create and rotate answers: the only places the secret is ever shown. */
export class WebhookWithSecretDto extends WebhookDto {
  @ApiProperty({ example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', description: 'Signing secret (Standard Webhooks); shown only now' })
  secret: string;
}

export class WebhookListDto {
  @ApiProperty({ type: [WebhookDto] }) data: WebhookDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class WebhookAttemptDto {
  @ApiProperty({ format: 'date-time' }) attemptedAt: string;
  @ApiProperty({ nullable: true, type: Number, example: 200 }) statusCode: number | null;
  @ApiProperty({ example: 42 }) durationMs: number;
  @ApiProperty({ nullable: true, type: String, description: 'First 4 KB of the response body' }) responseBody: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'timed out after 10000 ms' }) error: string | null;
}

export class WebhookDeliveryDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'evt_0196f0e48a5b7c3d9e2f1a2b3c4d5e6f' }) eventId: string;
  @ApiProperty({ example: 'page.created' }) eventType: string;
  @ApiProperty({ enum: ['pending', 'succeeded', 'failed'] }) status: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The payload that is sent' }) payload: unknown;
  @ApiProperty({ type: [WebhookAttemptDto] }) attempts: WebhookAttemptDto[];
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class WebhookDeliveryListDto {
  @ApiProperty({ type: [WebhookDeliveryDto] }) data: WebhookDeliveryDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class QueuedDto {
  @ApiProperty({ format: 'uuid', description: 'The delivery that was queued' }) deliveryId: string;
  @ApiProperty({ example: 'evt_0196f0e48a5b7c3d9e2f1a2b3c4d5e6f' }) eventId: string;
}
