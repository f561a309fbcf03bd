import { ApiProperty, ApiPropertyOptional, PickType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { Omittable } from '@strata/core';
import { ListQueryDto } from '../shared/list-query.dto';
import { MetadataField, TagsField } from '../shared/tags-and-metadata';
import { IsSafeFilename, MAX_FILENAME_LENGTH } from './media-filename';
import { MEDIA_TYPE_FILTER_PATTERN } from './media-type';
import { MediaEntity } from './media.entity';

export const MAX_ALT_TEXT_LENGTH = 1000;

/** PATCH body: what a client may change about a media item (the file itself is immutable). */
export class UpdateMediaDto {
  @ApiPropertyOptional({
    example: 'team-photo.jpg',
    minLength: 1,
    maxLength: MAX_FILENAME_LENGTH,
    description: 'The name downloads get; a plain file name, no path',
  })
  @Omittable()
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_FILENAME_LENGTH)
  @IsSafeFilename()
  filename?: string;

  @ApiPropertyOptional({ example: 'The team on the office roof', maxLength: MAX_ALT_TEXT_LENGTH })
  @Omittable()
  @IsString()
  @MaxLength(MAX_ALT_TEXT_LENGTH)
  altText?: string;

  @TagsField() tags?: string[];
  @MetadataField() metadata?: Record<string, unknown>;
}

/** The text fields of a multipart upload, once read (tags and metadata decoded from their JSON). */
export class MediaUploadFieldsDto extends PickType(UpdateMediaDto, ['altText', 'tags', 'metadata'] as const) {}

export class MediaListQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ description: 'Exact media type, or `type/*` for all its subtypes', example: 'image/*' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value))
  @IsString()
  @Matches(MEDIA_TYPE_FILTER_PATTERN, { message: 'mimeType must be a media type such as image/png, or a type with /* such as image/*' })
  mimeType?: string;

  @ApiPropertyOptional({
    enum: ['createdAt', '-createdAt', 'updatedAt', '-updatedAt', 'filename', '-filename', 'sizeBytes', '-sizeBytes', 'relevance'],
    description: 'Sort order; `-` for descending. Default `-createdAt`, or `relevance` when `q` is given.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  sort?: string;
}

export class MediaDto {
  @ApiProperty({ format: 'uuid', example: '0196f0e4-8a5b-7c3d-9e2f-1a2b3c4d5e6f' }) id: string;
  @ApiProperty({ example: 'team-photo.jpg', description: 'The uploaded name, sanitized' }) filename: string;
  @ApiProperty({ example: 'image/jpeg' }) mimeType: string;
  @ApiProperty({ example: 284512 }) sizeBytes: number;
  @ApiProperty({ example: 'The team on the office roof' }) altText: string;
  @ApiProperty({ example: '/api/v1/media/0196f0e4-8a5b-7c3d-9e2f-1a2b3c4d5e6f/file', description: 'Where the file is served' }) url: string;
  @ApiProperty({ example: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', description: 'SHA-256 of the file, hex' }) checksum: string;
  @ApiProperty({ type: [String], example: ['team'] }) tags: string[];
  @ApiProperty({ type: 'object', additionalProperties: true, example: {} }) metadata: Record<string, unknown>;
  @ApiProperty({ example: 1, description: 'Bumped by every write; the ETag is derived from id and version' }) version: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;

  // this: void: a factory that never reads `this`, so it can be passed as a callback (map(MediaDto.from)).
  static from(this: void, media: MediaEntity): MediaDto {
    return {
      id: media.id,
      filename: media.filename,
      mimeType: media.mimeType,
      sizeBytes: media.sizeBytes,
      altText: media.altText,
      url: mediaFileUrl(media.id),
      checksum: media.checksum,
      tags: media.tags,
      metadata: media.metadata,
      version: media.version,
      createdAt: media.createdAt.toISOString(),
      updatedAt: media.updatedAt.toISOString(),
    };
  }
}

export class MediaListDto {
  @ApiProperty({ type: [MediaDto] }) data: MediaDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as ?cursor= for the next page; null on the last page' }) nextCursor: string | null;
}

export function mediaUrl(id: string): string {
  return `/api/v1/media/${id}`;
}

export function mediaFileUrl(id: string): string {
  return `${mediaUrl(id)}/file`;
}
