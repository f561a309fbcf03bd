import { ApiPropertyOptional } from '@nestjs/swagger';
import { CursorWindowDto } from '@strata/core';
import { IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';

const TAG_PATTERN = /^[\p{L}\p{N}][\p{L}\p{N} _:./-]{0,63}$/u;
export { TAG_PATTERN };

/** Query parameters every content list accepts: cursor window, tag filter, text search, sort. */
export class ListQueryDto extends CursorWindowDto {
  @ApiPropertyOptional({ description: 'Only items carrying this tag', example: 'news' })
  @IsOptional()
  @IsString()
  @Matches(TAG_PATTERN, { message: 'tag must be 1-64 letters, digits, spaces or _ : . / -' })
  tag?: string;

  @ApiPropertyOptional({
    description:
      'Full-text search (web-search syntax: words, "phrases", -exclusions) with typo-tolerant matching on the title. Sorts by relevance unless `sort` is given.',
    example: 'getting started',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  q?: string;
}
