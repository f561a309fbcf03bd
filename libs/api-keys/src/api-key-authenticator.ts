import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { AppConfig } from '@strata/core';
import { Repository } from 'typeorm';
import { validate as isUuid } from 'uuid';
import { ADMIN_KEY_ID, ApiKeyPrincipal, KeyRejection } from './api-key-principal';
import { hashApiKey, hashesEqual, looksLikeApiKey } from './api-key-secret';
import { ApiKeyEntity } from './api-key.entity';
import { effectiveRemaining, REFILL_DUE_SQL, refillOf } from './credit-refill';
import { IpAllowlist } from './ip-allowlist';
import { KeyLookupCache } from './key-lookup-cache';
import { UsageCounter } from './usage-counter';

export type Authentication = { principal: ApiKeyPrincipal; rejection?: undefined } | { principal?: undefined; rejection: KeyRejection };

/**
 * Turns a presented key into a principal: ADMIN_API_KEY, else the cached or stored key with
 * that hash. Revocation, expiry and a rotated secret's grace end are checked on every request
 * against the principal, so they hold even for a cached entry.
 */
@Injectable()
export class ApiKeyAuthenticator {
  private readonly adminKeyHash?: string;

  constructor(
    @InjectRepository(ApiKeyEntity) private readonly keys: Repository<ApiKeyEntity>,
    private readonly cache: KeyLookupCache,
    private readonly usage: UsageCounter,
    config: AppConfig,
  ) {
    this.adminKeyHash = config.apiKeys.adminKey ? hashApiKey(config.apiKeys.adminKey) : undefined;
  }

  async authenticate(key: string, now = new Date()): Promise<Authentication> {
    const known = this.authenticateWithoutDatabase(key, now);
    if (known) return known;
    const hash = hashApiKey(key);
    const found = await this.load(hash);
    if ('rejection' in found) return found;
    this.cache.set(hash, found.principal);
    return checked(found.principal, now);
  }

  /**
   * The answer when it needs no database (a malformed key, the admin key, a key in the lookup
   * cache); undefined when only the database can tell.
   */
  authenticateWithoutDatabase(key: string, now = new Date()): Authentication | undefined {
    if (!looksLikeApiKey(key)) return { rejection: 'not_found' };
    const hash = hashApiKey(key);
    if (this.adminKeyHash && hashesEqual(hash, this.adminKeyHash)) {
      return { principal: adminPrincipal() };
    }
    const principal = this.cache.get(hash);
    return principal ? checked(principal, now) : undefined;
  }

  /**
   * The key with this id as a principal, for a session that names its key rather than presenting
   * it (the queue dashboard's cookie): the same revocation, expiry and usage checks as
   * `authenticate`. Cached alongside the by-hash entries (under `id:<keyId>`, which no hex hash
   * can equal), so revoking, deleting or changing the key drops it on every instance.
   */
  async authenticateById(keyId: string, now = new Date()): Promise<Authentication> {
    if (keyId === ADMIN_KEY_ID) return this.adminKeyHash ? { principal: adminPrincipal() } : { rejection: 'not_found' };
    if (!isUuid(keyId)) return { rejection: 'not_found' };
    const cacheKey = `id:${keyId}`;
    const cached = this.cache.get(cacheKey);
    if (cached) return checked(cached, now);
    const row = await this.keys.findOneBy({ id: keyId });
    if (!row) return { rejection: 'not_found' };
    if (row.revokedAt) return { rejection: 'revoked' };
    const principal = principalOf(row, row.expiresAt);
    this.cache.set(cacheKey, principal);
    return checked(principal, now);
  }

  /**
   * Counts one use. A usage-limited key is decremented atomically in the database, so it can
   * never be used more times than it had, whatever the number of instances; false when none is left.
   */
  async charge(principal: ApiKeyPrincipal): Promise<boolean> {
    if (principal.keyId === ADMIN_KEY_ID) return true;
    if (principal.remaining !== null) {
      // TypeORM answers an UPDATE on PostgreSQL with [returned rows, affected count].
      // A due refill is applied by the same statement: no extra round trip, and never twice.
      const [rows]: [Array<{ remaining: number; refilled_at: Date | null }>, number] = await this.keys.query(
        `UPDATE api_keys
            SET remaining = CASE WHEN ${REFILL_DUE_SQL} THEN refill_amount ELSE remaining END - 1,
                refilled_at = CASE WHEN ${REFILL_DUE_SQL} THEN now() ELSE refilled_at END
          WHERE id = $1 AND revoked_at IS NULL AND (remaining > 0 OR ${REFILL_DUE_SQL})
          RETURNING remaining, refilled_at`,
        [principal.keyId],
      );
      if (rows.length === 0) {
        await this.cache.invalidate(principal.keyId);
        return false;
      }
      principal.remaining = rows[0].remaining;
      if (principal.refill && rows[0].refilled_at) principal.refill.refilledAt = rows[0].refilled_at;
    }
    this.usage.record(principal.keyId);
    return true;
  }

  private async load(hash: string): Promise<Authentication> {
    const row = await this.keys.findOne({ where: [{ keyHash: hash }, { previousKeyHash: hash }] });
    if (!row) return { rejection: 'not_found' };
    if (row.revokedAt) return { rejection: 'revoked' };
    const isCurrent = hashesEqual(row.keyHash, hash);
    const validUntil = earliest(row.expiresAt, isCurrent ? null : row.previousKeyExpiresAt);
    return { principal: principalOf(row, validUntil) };
  }
}

/** A stored key as the principal its requests run as; the allowlist is compiled once here, not per request. */
function principalOf(row: ApiKeyEntity, validUntil: Date | null): ApiKeyPrincipal {
  return {
    keyId: row.id,
    scopes: row.scopes,
    tier: row.tier,
    expiresAt: row.expiresAt,
    remaining: row.remaining,
    validUntil,
    ipAllowlist: row.ipAllowlist ? new IpAllowlist(row.ipAllowlist) : null,
    refill: refillOf(row),
    ownerId: row.ownerId,
    limits: row.rateLimitPerMinute !== null && row.rateLimitPerDay !== null ? { perMinute: row.rateLimitPerMinute, perDay: row.rateLimitPerDay } : null,
  };
}

/** ADMIN_API_KEY's principal: every scope, no limit, no expiry. */
function adminPrincipal(): ApiKeyPrincipal {
  return {
    keyId: ADMIN_KEY_ID,
    scopes: ['admin'],
    tier: 'unlimited',
    expiresAt: null,
    remaining: null,
    validUntil: null,
    ipAllowlist: null,
    limits: null,
    refill: null,
    ownerId: null,
  };
}

/** Expiry (or a rotated secret's grace end) and usage are checked on every request, cached or not. */
function checked(principal: ApiKeyPrincipal, now: Date): Authentication {
  if (principal.validUntil && principal.validUntil <= now) return { rejection: 'expired' };
  if (effectiveRemaining(principal.remaining, principal.refill, now) === 0) return { rejection: 'usage_exceeded' };
  return { principal };
}

function earliest(a: Date | null, b: Date | null): Date | null {
  if (!a) return b;
  if (!b) return a;
  return a < b ? a : b;
}
