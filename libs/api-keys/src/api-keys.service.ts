import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { AppConfig, decodeCursor, encodeCursor, ProblemException, scopesAllow } from '@strata/core';
import { EntityManager, Repository } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { ApiKeyPrincipal } from './api-key-principal';
import { ApiKeyAuthenticator, Authentication } from './api-key-authenticator';
import { apiKeyStart, generateApiKey, hashApiKey } from './api-key-secret';
import { ApiKeyEntity } from './api-key.entity';
import { ApiKeyDto, ApiKeyListQueryDto, CreateApiKeyDto, IssuedApiKeyDto, VerifyApiKeyResultDto } from './api-key.dto';
import { KeyLookupCache } from './key-lookup-cache';

const LIST_SORT = 'createdAt';

/** Issuing, listing, revoking, rotating and verifying keys. Every change reaches every instance's cache. */
@Injectable()
export class ApiKeysService {
  constructor(
    @InjectRepository(ApiKeyEntity) private readonly keys: Repository<ApiKeyEntity>,
    private readonly cache: KeyLookupCache,
    private readonly authenticator: ApiKeyAuthenticator,
    private readonly config: AppConfig,
  ) {}

  /** A caller may only hand out scopes it holds itself (`admin` holds all). */
  async create(dto: CreateApiKeyDto, issuer: ApiKeyPrincipal): Promise<IssuedApiKeyDto> {
    const beyond = dto.scopes.filter((scope) => !scopesAllow(issuer.scopes, scope));
    if (beyond.length > 0) {
      throw new ProblemException({ status: 403, detail: `A key can only grant scopes it holds itself; missing: ${beyond.join(', ')}.` });
    }
    if (dto.tier === 'anonymous' || !(dto.tier in this.config.rateLimit.tiers)) {
      const tiers = Object.keys(this.config.rateLimit.tiers).filter((tier) => tier !== 'anonymous');
      throw ProblemException.unprocessable(`Unknown tier "${dto.tier}".`, { tier: [`tier must be one of: ${tiers.join(', ')}`] });
    }
    if (dto.expiresAt && dto.expiresAt.getTime() <= Date.now()) {
      throw ProblemException.unprocessable('expiresAt is in the past.', { expiresAt: ['expiresAt must be in the future'] });
    }
    return this.issue({ name: dto.name, scopes: [...new Set(dto.scopes)], tier: dto.tier, expiresAt: dto.expiresAt ?? null, remaining: dto.remaining ?? null });
  }

  /** Stores a new key (only its hash) and answers it once; `manager` to issue inside a caller's transaction. */
  async issue(
    fields: Pick<ApiKeyEntity, 'name' | 'scopes' | 'tier' | 'expiresAt' | 'remaining'>,
    manager: EntityManager = this.keys.manager,
  ): Promise<IssuedApiKeyDto> {
    const key = generateApiKey();
    const entity = manager.create(ApiKeyEntity, {
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
    await manager.insert(ApiKeyEntity, entity);
    return { ...ApiKeyDto.from(entity), key };
  }

  async list(query: ApiKeyListQueryDto): Promise<{ data: ApiKeyDto[]; nextCursor: string | null }> {
    const builder = this.keys.createQueryBuilder('k').orderBy('k.created_at', 'ASC').addOrderBy('k.id', 'ASC').limit(query.limit + 1);
    if (query.cursor) {
      const cursor = decodeCursor(query.cursor, LIST_SORT);
      builder.where('(k.created_at, k.id) > (:value, :id)', { value: new Date(String(cursor.value)), id: cursor.id });
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
    await this.keys.update(
      { id },
      { keyHash: hashApiKey(key), start: apiKeyStart(key), previousKeyHash: existing.keyHash, previousKeyExpiresAt },
    );
    await this.cache.invalidate(id);
    return { ...ApiKeyDto.from(await this.find(id)), key, previousKeyExpiresAt: previousKeyExpiresAt.toISOString() };
  }

  /** Reports on a key without using it: `remaining` and usage are not charged. */
  async verify(key: string): Promise<VerifyApiKeyResultDto> {
    return verdictOf(await this.authenticator.authenticate(key));
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

/** What `verify` answers for an authentication: the key's standing, never its secret. */
function verdictOf(result: Authentication): VerifyApiKeyResultDto {
  if (result.rejection) {
    return { valid: false, code: result.rejection.toUpperCase() as VerifyApiKeyResultDto['code'], keyId: null, scopes: null, tier: null, expiresAt: null, remaining: null };
  }
  const { principal } = result;
  return {
    valid: true,
    code: 'VALID',
    keyId: principal.keyId,
    scopes: principal.scopes,
    tier: principal.tier,
    expiresAt: principal.expiresAt ? principal.expiresAt.toISOString() : null,
    remaining: principal.remaining,
  };
}
