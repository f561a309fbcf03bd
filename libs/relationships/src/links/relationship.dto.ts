import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CursorWindowDto, IsBoundedJsonObject, Omittable } from '@strata/core';
import type { ContentKind } from '@strata/content';
import { Transform, Type } from 'class-transformer';
import { IsDefined, IsIn, IsOptional, IsUUID, Matches, MaxLength, ValidateNested } from 'class-validator';
import { RELATIONSHIP_TYPE_MAX_LENGTH, RELATIONSHIP_TYPE_PATTERN } from '../types/relationship-type-registry';

export const CONTENT_KINDS: readonly ContentKind[] = ['page', 'module', 'media'];
const EXAMPLE_ID = '0196f0e4-8a5b-7c3d-9e2f-1a2b3c4d5e6f';
const EXAMPLE_TARGET_ID = '0196f0e4-9c1d-7a2b-8e3f-4a5b6c7d8e9f';
const METADATA_LIMITS = { maxDepth: 8, maxBytes: 16 * 1024 };
const TYPE_MESSAGE = 'type must be lowercase letters and digits, words joined by -';

export class ContentRefDto {
  @ApiProperty({ enum: CONTENT_KINDS, example: 'page' })
  @IsIn(CONTENT_KINDS)
  type: ContentKind;

  @ApiProperty({ format: 'uuid', example: EXAMPLE_ID })
  // One spelling per id: cache tags and the existence check compare ids as strings.
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value))
  @IsUUID()
  id: string;
}

export class CreateRelationshipDto {
  @ApiProperty({ type: ContentRefDto })
  @IsDefined()
  @ValidateNested()
  @Type(() => ContentRefDto)
  source: ContentRefDto;

  @ApiProperty({ type: ContentRefDto, example: { type: 'media', id: EXAMPLE_TARGET_ID } })
  @IsDefined()
  @ValidateNested()
  @Type(() => ContentRefDto)
  target: ContentRefDto;

  @ApiProperty({ example: 'gallery', description: 'A registered type (GET /api/v1/relationships/types); else 422' })
  @MaxLength(RELATIONSHIP_TYPE_MAX_LENGTH)
  @Matches(RELATIONSHIP_TYPE_PATTERN, { message: TYPE_MESSAGE })
  type: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    example: { position: 1 },
    description: `Free-form JSON object (at most ${METADATA_LIMITS.maxDepth} levels, ${METADATA_LIMITS.maxBytes} bytes)`,
  })
  @Omittable()
  @IsBoundedJsonObject(METADATA_LIMITS)
  metadata?: Record<string, unknown>;
}

export class RelationshipDto {
  @ApiProperty({ format: 'uuid', example: '0196f0e5-0000-7000-8000-000000000001' }) id: string;
  @ApiProperty({ type: ContentRefDto, example: { type: 'page', id: EXAMPLE_ID } }) source: ContentRefDto;
  @ApiProperty({ type: ContentRefDto, example: { type: 'media', id: EXAMPLE_TARGET_ID } }) target: ContentRefDto;
  @ApiProperty({ example: 'gallery' }) type: string;
  @ApiProperty({ example: 'in-gallery', description: 'The type seen from the target' }) inverseType: string;
  @ApiProperty({ type: 'object', additionalProperties: true, example: { position: 1 } }) metadata: Record<string, unknown>;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class RelationshipListDto {
  @ApiProperty({ type: [RelationshipDto] }) data: RelationshipDto[];
  @ApiProperty({ nullable: true, type: String, example: null }) nextCursor: string | null;
}

/** Filters of GET /relationships; an end is given as type and id together (that pair is indexed). */
export class RelationshipListQueryDto extends CursorWindowDto {
  @ApiPropertyOptional({ enum: CONTENT_KINDS }) @IsOptional() @IsIn(CONTENT_KINDS) sourceType?: ContentKind;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() sourceId?: string;
  @ApiPropertyOptional({ enum: CONTENT_KINDS }) @IsOptional() @IsIn(CONTENT_KINDS) targetType?: ContentKind;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() targetId?: string;

  @ApiPropertyOptional({ example: 'parent', description: 'Only links stored with this type' })
  @IsOptional()
  @MaxLength(RELATIONSHIP_TYPE_MAX_LENGTH)
  @Matches(RELATIONSHIP_TYPE_PATTERN, { message: TYPE_MESSAGE })
  type?: string;
}

export class ItemLinksQueryDto extends CursorWindowDto {
  @ApiPropertyOptional({ enum: ['out', 'in', 'both'], default: 'both', description: 'Links from this item (out), to it (in), or both' })
  @IsOptional()
  @IsIn(['out', 'in', 'both'])
  direction: 'out' | 'in' | 'both' = 'both';

  @ApiPropertyOptional({ example: 'child', description: 'Only links of this type as seen from this item (incoming links match by their inverse)' })
  @IsOptional()
  @MaxLength(RELATIONSHIP_TYPE_MAX_LENGTH)
  @Matches(RELATIONSHIP_TYPE_PATTERN, { message: TYPE_MESSAGE })
  type?: string;
}

export class LinkedItemDto extends ContentRefDto {
  @ApiProperty({ nullable: true, type: String, example: 'Getting started', description: 'Title (filename for media)' }) title: string | null;
}

export class LinkViewDto {
  @ApiProperty({ format: 'uuid', description: 'The relationship id' }) id: string;
  @ApiProperty({ enum: ['out', 'in'], example: 'in' }) direction: 'out' | 'in';
  @ApiProperty({ example: 'child', description: 'Outgoing: the stored type; incoming: its inverse' }) type: string;
  @ApiProperty({ type: LinkedItemDto, description: 'The item at the other end' }) item: LinkedItemDto;
  @ApiProperty({ type: 'object', additionalProperties: true, example: {} }) metadata: Record<string, unknown>;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class LinkViewListDto {
  @ApiProperty({ type: [LinkViewDto] }) data: LinkViewDto[];
  @ApiProperty({ nullable: true, type: String, example: null }) nextCursor: string | null;
}
