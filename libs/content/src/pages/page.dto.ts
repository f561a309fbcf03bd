import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Omittable } from '@strata/core';
import { IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { ListQueryDto } from '../shared/list-query.dto';
import { MetadataField, TagsField } from '../shared/tags-and-metadata';
import { PAGE_STATUSES, PageEntity, PageStatus } from './page.entity';

export const SLUG_PATTERN = /^[a-z0-9]+(?:[-_/][a-z0-9]+)*$/;
export const MAX_BODY_LENGTH = 500_000;

export class CreatePageDto {
  @ApiProperty({ example: 'getting-started', maxLength: 200, pattern: SLUG_PATTERN.source, description: 'Unique; lowercase words joined by - _ or /' })
  @IsString()
  @MaxLength(200)
  @Matches(SLUG_PATTERN, { message: 'slug must be lowercase letters and digits joined by - _ or /' })
  slug: string;

  @ApiProperty({ example: 'Getting started', maxLength: 500 })
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  title: string;

  @ApiPropertyOptional({ example: 'Welcome to **Strata**.', maxLength: MAX_BODY_LENGTH, default: '' })
  @Omittable()
  @IsString()
  @MaxLength(MAX_BODY_LENGTH)
  body?: string;

  @ApiPropertyOptional({ enum: PAGE_STATUSES, default: 'draft' })
  @Omittable()
  @IsIn(PAGE_STATUSES)
  status?: PageStatus;

  @TagsField() tags?: string[];
  @MetadataField() metadata?: Record<string, unknown>;
}

/** Every field may be left out; none may be null. */
export class UpdatePageDto extends PartialType(CreatePageDto, { skipNullProperties: false }) {}

export class PageListQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ enum: PAGE_STATUSES })
  @IsOptional()
  @IsIn(PAGE_STATUSES)
  status?: PageStatus;

  @ApiPropertyOptional({ description: 'Exact slug', example: 'getting-started' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  slug?: string;

  @ApiPropertyOptional({
    enum: ['createdAt', '-createdAt', 'updatedAt', '-updatedAt', 'title', '-title', 'relevance'],
    description: 'Sort order; `-` for descending. Default `-createdAt`, or `relevance` when `q` is given.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  sort?: string;
}

export class PageDto {
  @ApiProperty({ format: 'uuid', example: '0196f0e4-8a5b-7c3d-9e2f-1a2b3c4d5e6f' }) id: string;
  @ApiProperty({ example: 'getting-started' }) slug: string;
  @ApiProperty({ example: 'Getting started' }) title: string;
  @ApiProperty({ example: 'Welcome to **Strata**.' }) body: string;
  @ApiProperty({ enum: PAGE_STATUSES }) status: PageStatus;
  @ApiProperty({ type: [String], example: ['docs'] }) tags: string[];
  @ApiProperty({ type: 'object', additionalProperties: true, example: {} }) metadata: Record<string, unknown>;
  @ApiProperty({ example: 1, description: 'Bumped by every write; the ETag is derived from id and version' }) version: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;

  // this: void: a factory that never reads `this`, so it can be passed as a callback (map(PageDto.from)).
  static from(this: void, page: PageEntity): PageDto {
    return {
      id: page.id,
      slug: page.slug,
      title: page.title,
      body: page.body,
      status: page.status,
      tags: page.tags,
      metadata: page.metadata,
      version: page.version,
      createdAt: page.createdAt.toISOString(),
      updatedAt: page.updatedAt.toISOString(),
    };
  }
}

export class PageListDto {
  @ApiProperty({ type: [PageDto] }) data: PageDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as ?cursor= for the next page; null on the last page' }) nextCursor: string | null;
}
