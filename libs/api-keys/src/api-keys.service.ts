import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { ApiKeyScope, AppConfig, decodeCursor, encodeCursor, listedEtags, ProblemException, scopesAllow } from '@strata/core';
import { RateLimitResult, tightestPolicy, TierRateLimitGuard } from '@strata/rate-limit';
import { EntityManager, Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { v7 as uuidv7 } from 'uuid';
import type { ApiKeyPrincipal } from './api-key-principal';
import { ApiKeyAuthenticator, Authentication } from './api-key-authenticator';
import { apiKeyStart, generateApiKey, hashApiKey } from './api-key-secret';
import { ApiKeyEntity } from './api-key.entity';
import {
  ApiKeyDto,
  ApiKeyListQueryDto,
  CreateApiKeyDto,
  IssuedApiKeyDto,
  UpdateApiKeyDto,
  VerifyApiKeyDto,
  VerifyApiKeyResultDto,
  VerifyRateLimitDto,
} from './api-key.dto';
import { keySubject } from './access-control';
import { effectiveRemaining } from './credit-refill';
import { apiKeyEtag } from './api-key-etag';
import { KeyLookupCache } from './key-lookup-cache';
import { UsageOutcomes } from './usage-outcomes';

const LIST_SORT = 'createdAt';

/** Issuing, listing, revoking, rotating and verifying keys. Every change reaches every instance's cache. */
@Injectable()
export class ApiKeysService {
  constructor(
    @InjectRepository(ApiKeyEntity) private readonly keys: Repository<ApiKeyEntity>,
    private readonly cache: KeyLookupCache,
    private readonly authenticator: ApiKeyAuthenticator,
    private readonly config: AppConfig,
    private readonly rateLimit: TierRateLimitGuard,
    private readonly outcomes: UsageOutcomes,
  ) {}

  /** A caller may only hand out scopes it holds itself (`admin` holds all). */
  async create(dto: CreateApiKeyDto, issuer: ApiKeyPrincipal): Promise<IssuedApiKeyDto> {
    this.checkGrant(dto.scopes, issuer);
    this.checkTier(dto.tier);
    this.checkExpiry(dto.expiresAt);
    return this.issue({
      name: dto.name,
      scopes: [...new Set(dto.scopes)],
      tier: dto.tier,
      expiresAt: dto.expiresAt ?? null,
      metadata: dto.metadata ?? {},
      ipAllowlist: dto.ipAllowlist ?? null,
      rateLimitPerMinute: dto.rateLimit?.perMinute ?? null,
      rateLimitPerDay: dto.rateLimit?.perDay ?? null,
      refillAmount: dto.refill?.amount ?? null,
      refillInterval: dto.refill?.interval ?? null,
      refilledAt: dto.refill ? new Date() : null,
      ownerId: dto.ownerId ?? null,
      // A refilling key starts full unless told otherwise.
      remaining: dto.remaining ?? dto.refill?.amount ?? null,
    });
  }

  /**
   * Changes a key's settings, never its secret. Under a row lock, so If-Match (the ETag GET
   * answered) is compared with the row as it is, and a concurrent use cannot slip a stale
   * `remaining` in. Every instance drops the key from its lookup cache, as on revocation.
   */
  async update(id: string, dto: UpdateApiKeyDto, issuer: ApiKeyPrincipal, ifMatch: string | undefined): Promise<ApiKeyDto> {
    if (dto.scopes) this.checkGrant(dto.scopes, issuer);
    if (dto.tier !== undefined) this.checkTier(dto.tier);
    this.checkExpiry(dto.expiresAt);
    const changes: Partial<ApiKeyEntity> = {};
    if (dto.name !== undefined) changes.name = dto.name;
    if (dto.scopes !== undefined) changes.scopes = [...new Set(dto.scopes)];
    if (dto.tier !== undefined) changes.tier = dto.tier;
    if (dto.expiresAt !== undefined) changes.expiresAt = dto.expiresAt;
    if (dto.remaining !== undefined) changes.remaining = dto.remaining;
    if (dto.metadata !== undefined) changes.metadata = dto.metadata ?? {};
    if (dto.ipAllowlist !== undefined) changes.ipAllowlist = dto.ipAllowlist;
    if (dto.ownerId !== undefined) changes.ownerId = dto.ownerId;
    if (dto.rateLimit !== undefined) {
      changes.rateLimitPerMinute = dto.rateLimit?.perMinute ?? null;
      changes.rateLimitPerDay = dto.rateLimit?.perDay ?? null;
    }
    const updated = await this.keys.manager.transaction(async (manager) => {
      const row = await manager.findOne(ApiKeyEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!row) throw ProblemException.notFound(`API key ${id} does not exist.`);
      if (ifMatch !== undefined && !etagMatches(ifMatch, apiKeyEtag(ApiKeyDto.from(row)))) {
        throw ProblemException.preconditionFailed(`API key ${id} has changed since that ETag; GET it again.`);
      }
      if (dto.refill !== undefined) {
        changes.refillAmount = dto.refill?.amount ?? null;
        changes.refillInterval = dto.refill?.interval ?? null;
        changes.refilledAt = dto.refill ? new Date() : null;
        if (dto.refill && dto.remaining === undefined && row.remaining === null) changes.remaining = dto.refill.amount;
      }
      const refills = (changes.refillAmount !== undefined ? changes.refillAmount : row.refillAmount) !== null;
      if (refills && (changes.remaining !== undefined ? changes.remaining : row.remaining) === null) {
        throw ProblemException.unprocessable('A key with refill needs remaining.', {
          remaining: ['remaining cannot be null while the key has a refill; send refill: null too'],
        });
      }
      if (Object.keys(changes).length > 0) await manager.update(ApiKeyEntity, { id }, changes as QueryDeepPartialEntity<ApiKeyEntity>);
      return { ...row, ...changes };
    });
    await this.cache.invalidate(id);
    return ApiKeyDto.from(updated);
  }

  /** A caller may only hand out scopes it holds itself (`admin` holds all). */
  private checkGrant(scopes: ApiKeyScope[], issuer: ApiKeyPrincipal): void {
    const beyond = scopes.filter((scope) => !scopesAllow(issuer.scopes, scope));
    if (beyond.length > 0) {
      throw new ProblemException({ status: 403, detail: `A key can only grant scopes it holds itself; missing: ${beyond.join(', ')}.` });
    }
  }

  private checkTier(tier: string): void {
    if (tier === 'anonymous' || !(tier in this.config.rateLimit.tiers)) {
      const tiers = Object.keys(this.config.rateLimit.tiers).filter((name) => name !== 'anonymous');
      throw ProblemException.unprocessable(`Unknown tier "${tier}".`, { tier: [`tier must be one of: ${tiers.join(', ')}`] });
    }
  }

  private checkExpiry(expiresAt: Date | null | undefined): void {
    if (expiresAt && expiresAt.getTime() <= Date.now()) {
      throw ProblemException.unprocessable('expiresAt is in the past.', { expiresAt: ['expiresAt must be in the future'] });
    }
  }

  /** Stores a new key (only its hash) and answers it once; `manager` to issue inside a caller's transaction. */
  async issue(
    fields: Pick<ApiKeyEntity, 'name' | 'scopes' | 'tier' | 'expiresAt' | 'remaining'> &
      Partial<
        Pick<ApiKeyEntity, 'metadata' | 'ipAllowlist' | 'rateLimitPerMinute' | 'rateLimitPerDay' | 'refillAmount' | 'refillInterval' | 'refilledAt' | 'ownerId'>
      >,
    manager: EntityManager = this.keys.manager,
  ): Promise<IssuedApiKeyDto> {
    const key = generateApiKey();
    const entity = manager.create(ApiKeyEntity, {
      metadata: {},
      ipAllowlist: null,
      rateLimitPerMinute: null,
      rateLimitPerDay: null,
      refillAmount: null,
      refillInterval: null,
      refilledAt: null,
      ownerId: null,
      ...fields,
      id: uuidv7(),
      keyHash: hashApiKey(key),
      start: apiKeyStart(key),
      revokedAt: null,
      lastUsedAt: null,
      usageCount: 0,
      previousKeyHash: null,
      previousKeyExpiresAt: null,
      createdAt: new Date(),
    });
    await manager.insert(ApiKeyEntity, entity as QueryDeepPartialEntity<ApiKeyEntity>);
    return { ...ApiKeyDto.from(entity), key };
  }

  async list(query: ApiKeyListQueryDto): Promise<{ data: ApiKeyDto[]; nextCursor: string | null }> {
    const builder = this.keys
      .createQueryBuilder('k')
      .orderBy('k.created_at', 'ASC')
      .addOrderBy('k.id', 'ASC')
      .limit(query.limit + 1);
    if (query.ownerId) builder.andWhere('k.owner_id = :ownerId', { ownerId: query.ownerId });
    if (query.cursor) {
      const cursor = decodeCursor(query.cursor, LIST_SORT);
      builder.andWhere('(k.created_at, k.id) > (:value, :id)', { value: new Date(String(cursor.value)), id: cursor.id });
    }
    const rows = await builder.getMany();
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    const nextCursor = rows.length > query.limit && last ? encodeCursor({ sort: LIST_SORT, value: last.createdAt.toISOString(), id: last.id }) : null;
    return { data: page.map((key) => ApiKeyDto.from(key)), nextCursor };
  }

  async get(id: string): Promise<ApiKeyDto> {
    return ApiKeyDto.from(await this.find(id));
  }

  async remove(id: string): Promise<void> {
    const result = await this.keys.delete({ id });
    if (!result.affected) throw ProblemException.notFound(`API key ${id} does not exist.`);
    await this.cache.invalidate(id);
  }

  /** Idempotent: revoking a revoked key keeps its first revocation time. */
  async revoke(id: string): Promise<ApiKeyDto> {
    await this.keys.query(`UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1`, [id]);
    const key = await this.find(id);
    await this.cache.invalidate(id);
    return ApiKeyDto.from(key);
  }

  /** A new secret; the previous one keeps working for API_KEY_ROTATION_GRACE_S. */
  async rotate(id: string): Promise<IssuedApiKeyDto> {
    const existing = await this.find(id);
    if (existing.revokedAt) throw ProblemException.conflict(`API key ${id} is revoked; a revoked key cannot be rotated.`);
    const key = generateApiKey();
    const previousKeyExpiresAt = new Date(Date.now() + this.config.apiKeys.rotationGraceS * 1000);
    await this.keys.update({ id }, { keyHash: hashApiKey(key), start: apiKeyStart(key), previousKeyHash: existing.keyHash, previousKeyExpiresAt });
    await this.cache.invalidate(id);
    return { ...ApiKeyDto.from(await this.find(id)), key, previousKeyExpiresAt: previousKeyExpiresAt.toISOString() };
  }

  /**
   * Reports on a key for another service: standing, then the end client's address (`ip`), then
   * the scopes the caller needs. Only with `charge` is the verified request counted against the
   * key's rate limit (the same budget its own requests use) and its remaining uses, and in its
   * usage analytics.
   */
  async verify(request: VerifyApiKeyDto | string): Promise<VerifyApiKeyResultDto> {
    const dto = typeof request === 'string' ? { key: request } : request;
    const authentication = await this.authenticator.authenticate(dto.key);
    if (authentication.rejection) return verdictOf(authentication);
    const { principal } = authentication;
    const valid = verdictOf(authentication);
    // A key limited to addresses is never vouched for without the address it is used from.
    if (principal.ipAllowlist && !(dto.ip && principal.ipAllowlist.allows(dto.ip))) {
      if (dto.charge) this.outcomes.record(principal.keyId, 'forbidden');
      return { ...valid, valid: false, code: 'IP_NOT_ALLOWED' };
    }
    const missingScopes = (dto.scopes ?? []).filter((scope) => !scopesAllow(principal.scopes, scope as ApiKeyScope));
    if (missingScopes.length > 0) {
      if (dto.charge) this.outcomes.record(principal.keyId, 'forbidden');
      return { ...valid, valid: false, code: 'FORBIDDEN', missingScopes };
    }
    if (!dto.charge) return valid;
    const counted = await this.rateLimit.count(keySubject(principal), { cost: 1 });
    const rateLimit = counted ? rateLimitOf(counted) : undefined;
    if (counted && !counted.allowed) {
      this.outcomes.record(principal.keyId, 'rate_limited');
      return { ...valid, valid: false, code: 'RATE_LIMITED', rateLimit };
    }
    if (!(await this.authenticator.charge(principal))) {
      this.outcomes.record(principal.keyId, 'usage_exceeded');
      return { ...valid, valid: false, code: 'USAGE_EXCEEDED', remaining: 0, rateLimit };
    }
    this.outcomes.record(principal.keyId, 'allowed');
    return { ...valid, remaining: principal.remaining, rateLimit };
  }

  /**
   * `verify` for a key named by its id (a session that keeps the id, never the secret): whether
   * it still exists, is neither revoked nor expired, and with which scopes. Cached like `verify`,
   * and dropped on every instance when the key changes.
   */
  async verifyId(keyId: string): Promise<VerifyApiKeyResultDto> {
    return verdictOf(await this.authenticator.authenticateById(keyId));
  }

  private async find(id: string): Promise<ApiKeyEntity> {
    const key = await this.keys.findOneBy({ id });
    if (!key) throw ProblemException.notFound(`API key ${id} does not exist.`);
    return key;
  }
}

/** Strong comparison (RFC 9110 §13.1.1); `*` matches any existing key. */
function etagMatches(header: string, etag: string): boolean {
  return listedEtags(header).some((tag) => tag === '*' || tag === etag);
}

/** The key's rate-limit state as verify answers it: the tightest policy first, then each. */
function rateLimitOf(result: RateLimitResult): VerifyRateLimitDto {
  const tightest = tightestPolicy(result.policies, result.violated);
  return {
    limit: tightest.limit,
    remaining: tightest.remaining,
    reset: tightest.resetS,
    ...(result.allowed ? {} : { retryAfter: result.retryAfterS }),
    policies: result.policies.map(({ name, limit, windowS, remaining, resetS }) => ({ name, limit, windowS, remaining, resetS })),
  };
}

/** What `verify` answers for an authentication: the key's standing, never its secret. */
function verdictOf(result: Authentication): VerifyApiKeyResultDto {
  if (result.rejection) {
    return {
      valid: false,
      code: result.rejection.toUpperCase() as VerifyApiKeyResultDto['code'],
      keyId: null,
      scopes: null,
      tier: null,
      expiresAt: null,
      remaining: null,
    };
  }
  const { principal } = result;
  return {
    valid: true,
    code: 'VALID',
    keyId: principal.keyId,
    scopes: principal.scopes,
    tier: principal.tier,
    expiresAt: principal.expiresAt ? principal.expiresAt.toISOString() : null,
    remaining: effectiveRemaining(principal.remaining, principal.refill),
  };
}
