import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoundedJsonObject, Omittable } from '@strata/core';
import { ArrayMaxSize, ArrayUnique, IsArray, IsString, Matches } from 'class-validator';
import { TAG_PATTERN } from './list-query.dto';

export const METADATA_LIMITS = { maxDepth: 8, maxBytes: 16 * 1024 };
export const MAX_TAGS = 50;

/** Validation + schema for a `tags` field in a write body. */
export function TagsField(): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ type: [String], maxItems: MAX_TAGS, example: ['news', 'featured'] }),
    Omittable(),
    IsArray(),
    ArrayMaxSize(MAX_TAGS),
    ArrayUnique(),
    IsString({ each: true }),
    Matches(TAG_PATTERN, { each: true, message: 'each tag must be 1-64 letters, digits, spaces or _ : . / -' }),
  );
}

/** Validation + schema for a free-form `metadata` object in a write body. */
export function MetadataField(): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({
      type: 'object',
      additionalProperties: true,
      description: `Free-form JSON object (at most ${METADATA_LIMITS.maxDepth} levels, ${METADATA_LIMITS.maxBytes} bytes)`,
      example: { seoTitle: 'Hello' },
    }),
    Omittable(),
    IsBoundedJsonObject(METADATA_LIMITS),
  );
}
