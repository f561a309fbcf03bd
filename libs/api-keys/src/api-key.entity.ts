import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { RefillInterval } from './credit-refill';

/** A row of `api_keys`. The key itself is never stored, only its SHA-256 (`keyHash`). */
@Entity({ name: 'api_keys' })
export class ApiKeyEntity {
  @PrimaryColumn('uuid') id: string;
  @Column('varchar', { length: 200 }) name: string;
  @Column('char', { name: 'key_hash', length: 64 }) keyHash: string;
  @Column('varchar', { length: 8 }) start: string;
  @Column('text', { array: true }) scopes: string[];
  @Column('varchar', { length: 32 }) tier: string;
  @Column('timestamp with time zone', { name: 'expires_at', precision: 3, nullable: true }) expiresAt: Date | null;
  @Column('integer', { nullable: true }) remaining: number | null;
  @Column('timestamp with time zone', { name: 'revoked_at', precision: 3, nullable: true }) revokedAt: Date | null;
  @Column('timestamp with time zone', { name: 'last_used_at', precision: 3, nullable: true }) lastUsedAt: Date | null;
  // bigint arrives as a string from pg; counts stay far below 2^53.
  @Column('bigint', { name: 'usage_count', transformer: { to: (v: number) => v, from: (v: string) => Number(v) } }) usageCount: number;
  @Column('char', { name: 'previous_key_hash', length: 64, nullable: true }) previousKeyHash: string | null;
  @Column('timestamp with time zone', { name: 'previous_key_expires_at', precision: 3, nullable: true }) previousKeyExpiresAt: Date | null;
  @Column('timestamp with time zone', { name: 'created_at', precision: 3 }) createdAt: Date;
  @Column('jsonb') metadata: Record<string, unknown>;
  /** CIDRs the key may be used from; null: from anywhere. */
  @Column('text', { name: 'ip_allowlist', array: true, nullable: true }) ipAllowlist: string[] | null;
  /** This key's own limits, taking precedence over its tier's; both set or both null. */
  @Column('integer', { name: 'rate_limit_per_minute', nullable: true }) rateLimitPerMinute: number | null;
  @Column('integer', { name: 'rate_limit_per_day', nullable: true }) rateLimitPerDay: number | null;
  /** Credits that refill: `remaining` is set back to `refillAmount` each UTC day or month (see credit-refill.ts). */
  @Column('integer', { name: 'refill_amount', nullable: true }) refillAmount: number | null;
  @Column('varchar', { name: 'refill_interval', length: 8, nullable: true }) refillInterval: RefillInterval | null;
  /** Who the key belongs to; keys with the same owner share one rate-limit budget. */
  @Column('varchar', { name: 'owner_id', length: 200, nullable: true }) ownerId: string | null;
  @Column('timestamp with time zone', { name: 'refilled_at', precision: 3, nullable: true }) refilledAt: Date | null;
}
