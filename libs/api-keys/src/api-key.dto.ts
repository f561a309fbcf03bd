import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsDate,
  IsIn,
  IsInt,
  IsIP,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateBy,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { API_KEY_SCOPES, CursorWindowDto, IsBoundedJsonObject, type ApiKeyScope } from '@strata/core';
import type { ApiKeyEntity } from './api-key.entity';
import { effectiveRemaining, REFILL_INTERVALS, refillOf, type RefillInterval } from './credit-refill';
import { parseCidr } from './ip-allowlist';

const METADATA_LIMITS = { maxDepth: 8, maxBytes: 4 * 1024 };
const MAX_ALLOWLIST = 100;

/** A key's own limits, taking precedence over its tier's. */
export class KeyRateLimitDto {
  @ApiProperty({ minimum: 1, maximum: 1_000_000_000, example: 120 })
  @IsInt()
  @Min(1)
  @Max(1_000_000_000)
  perMinute: number;

  @ApiProperty({ minimum: 1, maximum: 1_000_000_000, example: 5000 })
  @IsInt()
  @Min(1)
  @Max(1_000_000_000)
  perDay: number;
}

/** Credits that refill: `remaining` is set back to `amount` at each UTC day or month start. */
export class KeyRefillDto {
  @ApiProperty({ minimum: 1, maximum: 1_000_000_000, example: 1000 })
  @IsInt()
  @Min(1)
  @Max(1_000_000_000)
  amount: number;

  @ApiProperty({ enum: REFILL_INTERVALS, example: 'daily' })
  @IsIn(REFILL_INTERVALS)
  interval: RefillInterval;
}

export class KeyRefillStateDto extends KeyRefillDto {
  @ApiProperty({ type: String, format: 'date-time', description: 'When remaining was last set back' }) refilledAt: string;
}

const IsCidr = () =>
  ValidateBy(
    {
      name: 'isCidr',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && parseCidr(value) !== undefined,
        defaultMessage: () => 'each value in ipAllowlist must be an IPv4 or IPv6 address or CIDR (10.0.0.0/8, 2001:db8::/32)',
      },
    },
    { each: true },
  );

export const OWNER_ID = /^[A-Za-z0-9._:@-]{1,200}$/;

/** The policy fields create and PATCH share; on PATCH, null clears a nullable one. */
class KeyPolicyFields {
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'customer_42',
    description: 'The identity the key belongs to (letters, digits and . _ : @ -); keys with the same ownerId share one rate-limit budget',
  })
  @IsOptional()
  @Matches(OWNER_ID, { message: 'ownerId must be 1 to 200 letters, digits or . _ : @ -' })
  ownerId?: string | null;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: `Your own JSON about the key (at most ${METADATA_LIMITS.maxBytes} bytes)`,
    example: { owner: 'marketing' },
  })
  @IsOptional()
  @IsBoundedJsonObject(METADATA_LIMITS)
  metadata?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: [String],
    nullable: true,
    maxItems: MAX_ALLOWLIST,
    example: ['203.0.113.0/24', '2001:db8::/32'],
    description: 'Addresses or CIDRs the key may be used from (request.ip, which honours TRUST_PROXY); absent or null: anywhere',
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_ALLOWLIST)
  @IsCidr()
  ipAllowlist?: string[] | null;

  @ApiPropertyOptional({ type: KeyRateLimitDto, nullable: true, description: "This key's own limits, taking precedence over its tier's; null: the tier's" })
  @IsOptional()
  @ValidateNested()
  @Type(() => KeyRateLimitDto)
  rateLimit?: KeyRateLimitDto | null;

  @ApiPropertyOptional({
    type: KeyRefillDto,
    nullable: true,
    description: 'Credits that refill each UTC day or month (sets remaining to amount when the key has none); null: no refill',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => KeyRefillDto)
  refill?: KeyRefillDto | null;
}

export class CreateApiKeyDto extends KeyPolicyFields {
  @ApiProperty({ example: 'Marketing site (production)', maxLength: 200 })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;

  @ApiProperty({ enum: API_KEY_SCOPES, isArray: true, example: ['content:read'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(API_KEY_SCOPES.length)
  @IsIn(API_KEY_SCOPES, { each: true })
  scopes: ApiKeyScope[];

  @ApiProperty({ example: 'free', description: 'A tier of the rate-limit table (free, basic, premium, unlimited, or one from RATE_LIMIT_TIERS)' })
  @IsString()
  @Matches(/^[a-z][a-z0-9_-]{0,31}$/, { message: 'tier must be a tier name' })
  tier: string;

  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'After this instant the key is rejected' })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  expiresAt?: Date;

  @ApiPropertyOptional({ minimum: 1, maximum: 1_000_000_000, description: 'A usage-limited key: how many requests it may make in total' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000_000)
  remaining?: number;
}

/** PATCH: only the fields sent change; the secret stays. null clears expiresAt, remaining, ipAllowlist and rateLimit. */
export class UpdateApiKeyDto extends KeyPolicyFields {
  @ApiPropertyOptional({ maxLength: 200 })
  @ValidateIf((dto: UpdateApiKeyDto) => dto.name !== undefined)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ enum: API_KEY_SCOPES, isArray: true })
  @ValidateIf((dto: UpdateApiKeyDto) => dto.scopes !== undefined)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(API_KEY_SCOPES.length)
  @IsIn(API_KEY_SCOPES, { each: true })
  scopes?: ApiKeyScope[];

  @ApiPropertyOptional({ example: 'basic' })
  @ValidateIf((dto: UpdateApiKeyDto) => dto.tier !== undefined)
  @IsString()
  @Matches(/^[a-z][a-z0-9_-]{0,31}$/, { message: 'tier must be a tier name' })
  tier?: string;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true, description: 'null: never expires' })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  expiresAt?: Date | null;

  @ApiPropertyOptional({ type: Number, nullable: true, minimum: 0, maximum: 1_000_000_000, description: 'Uses left; null: not usage-limited' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000_000)
  remaining?: number | null;
}

export class ApiKeyListQueryDto extends CursorWindowDto {
  @ApiPropertyOptional({ description: 'Only the keys of this identity' })
  @IsOptional()
  @Matches(OWNER_ID, { message: 'ownerId must be 1 to 200 letters, digits or . _ : @ -' })
  ownerId?: string;
}

export class VerifyApiKeyDto {
  @ApiProperty({ example: 'sk_3fQ9mZ0aX7bL2cV8nW4eR6tY1uI5oP0aS9dF' })
  @IsString()
  @MaxLength(200)
  key: string;

  @ApiPropertyOptional({ type: [String], example: ['content:read'], description: 'Scopes the key must hold (else code FORBIDDEN)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  scopes?: string[];

  @ApiPropertyOptional({ example: '203.0.113.7', description: "Your end client's address, checked against the key's ipAllowlist (else code IP_NOT_ALLOWED)" })
  @IsOptional()
  @IsIP()
  ip?: string;

  @ApiPropertyOptional({
    default: false,
    description: "Spend the key's rate limit and one of its remaining uses for the verified request (codes RATE_LIMITED, USAGE_EXCEEDED)",
  })
  @IsOptional()
  @IsBoolean()
  charge?: boolean;
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
  @ApiProperty({ type: 'object', additionalProperties: true }) metadata: Record<string, unknown>;
  @ApiProperty({ type: [String], nullable: true }) ipAllowlist: string[] | null;
  @ApiProperty({ type: KeyRateLimitDto, nullable: true }) rateLimit: KeyRateLimitDto | null;
  @ApiProperty({ type: KeyRefillStateDto, nullable: true }) refill: KeyRefillStateDto | null;
  @ApiProperty({ type: String, nullable: true }) ownerId: string | null;

  static from(entity: ApiKeyEntity): ApiKeyDto {
    const iso = (date: Date | null) => (date ? date.toISOString() : null);
    return {
      id: entity.id,
      name: entity.name,
      start: entity.start,
      scopes: entity.scopes,
      tier: entity.tier,
      expiresAt: iso(entity.expiresAt),
      remaining: effectiveRemaining(entity.remaining, refillOf(entity)),
      revokedAt: iso(entity.revokedAt),
      lastUsedAt: iso(entity.lastUsedAt),
      usageCount: entity.usageCount,
      createdAt: entity.createdAt.toISOString(),
      metadata: entity.metadata,
      ipAllowlist: entity.ipAllowlist,
      ownerId: entity.ownerId,
      refill:
        entity.refillAmount !== null && entity.refillInterval !== null
          ? { amount: entity.refillAmount, interval: entity.refillInterval, refilledAt: iso(entity.refilledAt) ?? new Date(0).toISOString() }
          : null,
      rateLimit:
        entity.rateLimitPerMinute !== null && entity.rateLimitPerDay !== null ? { perMinute: entity.rateLimitPerMinute, perDay: entity.rateLimitPerDay } : null,
    };
  }
}

/** The calling key's own identity: what `GET /api-keys/self` answers, never the secret or its hash. */
export class ApiKeySelfDto {
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'null for ADMIN_API_KEY, which is configured, not stored' }) id: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'Marketing site (production)', description: 'null for ADMIN_API_KEY' }) name: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'sk_3fQ9m', description: 'The first 8 characters of the key; null for ADMIN_API_KEY' }) start:
    string | null;
  @ApiProperty({ enum: API_KEY_SCOPES, isArray: true }) scopes: string[];
  @ApiProperty({ example: 'free' }) tier: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) expiresAt: string | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Uses left after this call; null when not usage-limited' }) remaining: number | null;
  @ApiProperty({ type: String, nullable: true }) ownerId: string | null;
  @ApiProperty({ description: 'true for ADMIN_API_KEY (the bootstrap key from the environment)' }) bootstrap: boolean;

  static of(key: ApiKeyDto): ApiKeySelfDto {
    const { id, name, start, scopes, tier, expiresAt, remaining, ownerId } = key;
    return { id, name, start, scopes, tier, expiresAt, remaining, ownerId, bootstrap: false };
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

export const VERIFY_CODES = ['VALID', 'NOT_FOUND', 'EXPIRED', 'REVOKED', 'RATE_LIMITED', 'USAGE_EXCEEDED', 'FORBIDDEN', 'IP_NOT_ALLOWED'] as const;

export class VerifyPolicyDto {
  @ApiProperty({ example: 'minute' }) name: string;
  @ApiProperty() limit: number;
  @ApiProperty() windowS: number;
  @ApiProperty() remaining: number;
  @ApiProperty({ description: 'Seconds until more quota is available' }) resetS: number;
}

/** The key's rate limit after a charged verification: the tightest policy, and each policy. */
export class VerifyRateLimitDto {
  @ApiProperty() limit: number;
  @ApiProperty() remaining: number;
  @ApiProperty({ description: 'Seconds until more quota is available' }) reset: number;
  @ApiPropertyOptional({ description: 'With RATE_LIMITED: seconds to wait' }) retryAfter?: number;
  @ApiProperty({ type: [VerifyPolicyDto] }) policies: VerifyPolicyDto[];
}

export class VerifyApiKeyResultDto {
  @ApiProperty() valid: boolean;
  @ApiProperty({ enum: VERIFY_CODES }) code: (typeof VERIFY_CODES)[number];
  @ApiProperty({ type: String, nullable: true }) keyId: string | null;
  @ApiProperty({ type: [String], nullable: true }) scopes: string[] | null;
  @ApiProperty({ type: String, nullable: true }) tier: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) expiresAt: string | null;
  @ApiProperty({ type: Number, nullable: true }) remaining: number | null;
  @ApiPropertyOptional({ type: VerifyRateLimitDto, description: 'With `charge: true` on a rate-limited key' }) rateLimit?: VerifyRateLimitDto;
  @ApiPropertyOptional({ type: [String], description: 'With FORBIDDEN: the scopes asked for that the key lacks' }) missingScopes?: string[];
}
