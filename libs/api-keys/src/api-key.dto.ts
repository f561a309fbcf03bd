import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsDate, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { API_KEY_SCOPES, CursorWindowDto, type ApiKeyScope } from '@strata/core';
import type { ApiKeyEntity } from './api-key.entity';

export class CreateApiKeyDto {
  @ApiProperty({ example: 'Marketing site (production)', maxLength: 200 })
  @IsString() @MinLength(1) @MaxLength(200)
  name: string;

  @ApiProperty({ enum: API_KEY_SCOPES, isArray: true, example: ['content:read'] })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(API_KEY_SCOPES.length) @IsIn(API_KEY_SCOPES, { each: true })
  scopes: ApiKeyScope[];

  @ApiProperty({ example: 'free', description: 'A tier of the rate-limit table (free, basic, premium, unlimited, or one from RATE_LIMIT_TIERS)' })
  @IsString() @Matches(/^[a-z][a-z0-9_-]{0,31}$/, { message: 'tier must be a tier name' })
  tier: string;

  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'After this instant the key is rejected' })
  @IsOptional() @Type(() => Date) @IsDate()
  expiresAt?: Date;

  @ApiPropertyOptional({ minimum: 1, maximum: 1_000_000_000, description: 'A usage-limited key: how many requests it may make in total' })
  @IsOptional() @IsInt() @Min(1) @Max(1_000_000_000)
  remaining?: number;
}

export class ApiKeyListQueryDto extends CursorWindowDto {}

export class VerifyApiKeyDto {
  @ApiProperty({ example: 'sk_3fQ9mZ0aX7bL2cV8nW4eR6tY1uI5oP0aS9dF' })
  @IsString() @MaxLength(200)
  key: string;
}

/** A key as the API shows it: never the secret, only its first 8 characters. */
export class ApiKeyDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'Marketing site (production)' }) name: string;
  @ApiProperty({ example: 'sk_3fQ9m', description: 'The first 8 characters of the key' }) start: string;
  @ApiProperty({ enum: API_KEY_SCOPES, isArray: true }) scopes: string[];
  @ApiProperty({ example: 'free' }) tier: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) expiresAt: string | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Uses left; null when not usage-limited' }) remaining: number | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) revokedAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Updated in batches, a few seconds behind' }) lastUsedAt: string | null;
  @ApiProperty({ description: 'Updated in batches, a few seconds behind' }) usageCount: number;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: string;

  static from(entity: ApiKeyEntity): ApiKeyDto {
    const iso = (date: Date | null) => (date ? date.toISOString() : null);
    return {
      id: entity.id,
      name: entity.name,
      start: entity.start,
      scopes: entity.scopes,
      tier: entity.tier,
      expiresAt: iso(entity.expiresAt),
      remaining: entity.remaining,
      revokedAt: iso(entity.revokedAt),
      lastUsedAt: iso(entity.lastUsedAt),
      usageCount: entity.usageCount,
      createdAt: entity.createdAt.toISOString(),
    };
  }
}

/** The answer to create and rotate: the only time the key itself is shown. */
export class IssuedApiKeyDto extends ApiKeyDto {
  @ApiProperty({ example: 'sk_3fQ9mZ0aX7bL2cV8nW4eR6tY1uI5oP0aS9dFgH2j', description: 'The key. Shown once: store it now.' })
  key: string;

  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'After a rotation: until when the previous key still works' })
  previousKeyExpiresAt?: string;
}

export class ApiKeyListDto {
  @ApiProperty({ type: [ApiKeyDto] }) data: ApiKeyDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}

export const VERIFY_CODES = ['VALID', 'NOT_FOUND', 'REVOKED', 'EXPIRED', 'USAGE_EXCEEDED'] as const;

export class VerifyApiKeyResultDto {
  @ApiProperty() valid: boolean;
  @ApiProperty({ enum: VERIFY_CODES }) code: (typeof VERIFY_CODES)[number];
  @ApiProperty({ type: String, nullable: true }) keyId: string | null;
  @ApiProperty({ type: [String], nullable: true }) scopes: string[] | null;
  @ApiProperty({ type: String, nullable: true }) tier: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) expiresAt: string | null;
  @ApiProperty({ type: Number, nullable: true }) remaining: number | null;
}
