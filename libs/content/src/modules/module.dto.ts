import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsBoundedJsonObject, Omittable } from '@strata/core';
import { IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, MinLength, ValidateIf } from 'class-validator';
import { Transform } from 'class-transformer';
import { ListQueryDto } from '../shared/list-query.dto';
import { MetadataField, TagsField } from '../shared/tags-and-metadata';
import { ModuleEntity } from './module.entity';

export const KIND_PATTERN = /^[a-z][a-z0-9-]{0,63}$/;
/** Module content is the block's payload, so it may be larger and deeper than metadata. */
export const CONTENT_LIMITS = { maxDepth: 16, maxBytes: 256 * 1024 };
export const MAX_POSITION = 1_000_000;

export class CreateModuleDto {
  @ApiPropertyOptional({
    type: String,
    format: 'uuid',
    nullable: true,
    example: '0196f0e4-8a5b-7c3d-9e2f-1a2b3c4d5e6f',
    description: 'The page this block is placed on (it must exist); null for none',
  })
  @ValidateIf((dto: CreateModuleDto) => dto.pageId !== null && dto.pageId !== undefined)
  @IsUUID('all', { message: 'pageId must be a UUID or null' })
  pageId?: string | null;

  @ApiProperty({ example: 'hero', pattern: KIND_PATTERN.source, description: 'The block type, as the front end knows it' })
  @IsString()
  @Matches(KIND_PATTERN, { message: 'kind must start with a lowercase letter and hold only a-z, 0-9 and - (at most 64)' })
  kind: string;

  @ApiProperty({ example: 'Welcome banner', maxLength: 500 })
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  title: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: `The block's payload (at most ${CONTENT_LIMITS.maxDepth} levels, ${CONTENT_LIMITS.maxBytes} bytes)`,
    example: { heading: 'Hello', cta: { label: 'Start', href: '/start' } },
  })
  @Omittable()
  @IsBoundedJsonObject(CONTENT_LIMITS)
  content?: Record<string, unknown>;

  @ApiPropertyOptional({ example: 0, minimum: 0, maximum: MAX_POSITION, default: 0, description: 'Order on the page (ascending)' })
  @Omittable()
  @IsInt()
  @Min(0)
  @Max(MAX_POSITION)
  position?: number;

  @TagsField() tags?: string[];
  @MetadataField() metadata?: Record<string, unknown>;
}

/** Every field may be left out; as in create, only pageId may be null. */
export class UpdateModuleDto extends PartialType(CreateModuleDto, { skipNullProperties: false }) {}

export class ModuleListQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ format: 'uuid', example: '0196f0e4-8a5b-7c3d-9e2f-1a2b3c4d5e6f', description: 'Only blocks on this page' })
  @IsOptional()
  @IsUUID('all', { message: 'pageId must be a UUID' })
  pageId?: string;

  @ApiPropertyOptional({ example: 'hero', description: 'Only blocks of this kind' })
  @IsOptional()
  @IsString()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value))
  @Matches(KIND_PATTERN, { message: 'kind must start with a lowercase letter and hold only a-z, 0-9 and -' })
  kind?: string;

  @ApiPropertyOptional({
    enum: ['createdAt', '-createdAt', 'updatedAt', '-updatedAt', 'title', '-title', 'position', '-position', 'relevance'],
    description: 'Sort order; `-` for descending. Default `-createdAt`, or `relevance` when `q` is given.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  sort?: string;
}

export class ModuleDto {
  @ApiProperty({ format: 'uuid', example: '0196f0e4-8a5b-7c3d-9e2f-1a2b3c4d5e6f' }) id: string;
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    example: '0196f0e4-8a5b-7c3d-9e2f-1a2b3c4d5e6f',
    description: 'Null when the block is on no page (also after its page was deleted)',
  })
  pageId: string | null;
  @ApiProperty({ example: 'hero' }) kind: string;
  @ApiProperty({ example: 'Welcome banner' }) title: string;
  @ApiProperty({ type: 'object', additionalProperties: true, example: { heading: 'Hello' } }) content: Record<string, unknown>;
  @ApiProperty({ example: 0 }) position: number;
  @ApiProperty({ type: [String], example: ['home'] }) tags: string[];
  @ApiProperty({ type: 'object', additionalProperties: true, example: {} }) metadata: Record<string, unknown>;
  @ApiProperty({ example: 1, description: 'Bumped by every write; the ETag is derived from id and version' }) version: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;

  // this: void: a factory that never reads `this`, so it can be passed as a callback (map(ModuleDto.from)).
  static from(this: void, module: ModuleEntity): ModuleDto {
    return {
      id: module.id,
      pageId: module.pageId,
      kind: module.kind,
      title: module.title,
      content: module.content,
      position: module.position,
      tags: module.tags,
      metadata: module.metadata,
      version: module.version,
      createdAt: module.createdAt.toISOString(),
      updatedAt: module.updatedAt.toISOString(),
    };
  }
}

export class ModuleListDto {
  @ApiProperty({ type: [ModuleDto] }) data: ModuleDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as ?cursor= for the next page; null on the last page' }) nextCursor: string | null;
}
