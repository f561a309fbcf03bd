import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query, Req, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { AnyApiKey, ApiIfNoneMatch, ApiProblems, ApiResponseHeaders, RequireScope, UuidParam, withStrongEtag } from '@strata/core';
import { RateLimitCost } from '@strata/rate-limit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ADMIN_KEY_ID, type ApiKeyPrincipal } from './api-key-principal';
import {
  ApiKeyDto,
  ApiKeyListDto,
  ApiKeyListQueryDto,
  ApiKeySelfDto,
  CreateApiKeyDto,
  IssuedApiKeyDto,
  UpdateApiKeyDto,
  VerifyApiKeyDto,
  VerifyApiKeyResultDto,
} from './api-key.dto';
import { apiKeyEtag } from './api-key-etag';
import { ApiKeysService } from './api-keys.service';
import { KeyUsageReport, usageAnswer } from './key-usage-report';
import { KeyRoutesDto, KeyRoutesQueryDto, KeyUsageDto, KeyUsageQueryDto } from './key-usage.dto';
import { CurrentPrincipal } from './principal.decorator';

@ApiTags('api-keys')
@ApiProblems(400, 401, 403, 429)
@RequireScope('keys:manage')
@Controller('api-keys')
export class ApiKeysController {
  constructor(
    private readonly keys: ApiKeysService,
    private readonly usage: KeyUsageReport,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Create an API key',
    description:
      'Answers the key once (`sk_` + 40 base62 characters); only its SHA-256 and first 8 characters are stored. A key can grant only scopes it holds.',
  })
  @ApiCreatedResponse({ type: IssuedApiKeyDto, description: 'Created; the Location header points at it' })
  @ApiProblems(422)
  @ApiResponseHeaders({ 201: ['Location', 'Cache-Control'] })
  async create(
    @Body() dto: CreateApiKeyDto,
    @CurrentPrincipal() issuer: ApiKeyPrincipal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<IssuedApiKeyDto> {
    const issued = await this.keys.create(dto, issuer);
    reply.status(201).header('location', `/api/v1/api-keys/${issued.id}`).header('cache-control', 'no-store');
    return issued;
  }

  @Get()
  @ApiOperation({ summary: 'List API keys', description: 'Oldest first, cursor-paginated. Never shows a key, only its `start`.' })
  @ApiOkResponse({ type: ApiKeyListDto })
  list(@Query() query: ApiKeyListQueryDto): Promise<ApiKeyListDto> {
    return this.keys.list(query);
  }

  @Post('verify')
  @HttpCode(200)
  @RateLimitCost(5)
  @ApiOperation({
    summary: 'Verify a key',
    description:
      "For a service that puts Strata's keys in front of its own API. Always 200 with `valid` and a `code`: NOT_FOUND, REVOKED, EXPIRED; IP_NOT_ALLOWED when the key has an `ipAllowlist` and `ip` is absent or outside it; FORBIDDEN (with `missingScopes`) when it lacks a scope of `scopes`; with `charge: true`, the request is counted against the key's rate limit (RATE_LIMITED, with `rateLimit`) and its remaining uses (USAGE_EXCEEDED); else VALID. Without `charge` nothing is spent. Costs 5 requests of the caller's budget.",
  })
  @ApiOkResponse({ type: VerifyApiKeyResultDto })
  verify(@Body() dto: VerifyApiKeyDto): Promise<VerifyApiKeyResultDto> {
    return this.keys.verify(dto);
  }

  @Get('self')
  @AnyApiKey()
  @ApiOperation({
    summary: 'The calling key',
    description:
      'Who the key sending this request is: its id, name, start, scopes, tier, expiry, remaining uses and owner, never the secret. Any valid key may ask, whatever its scopes, so a client learns what it may do without trying (a refused try counts as `forbidden` in the key\'s usage). For ADMIN_API_KEY: `bootstrap: true`, id, name and start null, scopes ["admin"].',
  })
  @ApiOkResponse({ type: ApiKeySelfDto })
  @ApiResponseHeaders({ 200: ['Cache-Control'] })
  async self(@CurrentPrincipal() principal: ApiKeyPrincipal, @Res({ passthrough: true }) reply: FastifyReply): Promise<ApiKeySelfDto> {
    // The answer depends on the Authorization header: no shared cache may keep it.
    reply.header('cache-control', 'private, no-store');
    if (principal.keyId === ADMIN_KEY_ID) {
      const { scopes, tier, expiresAt, remaining, ownerId } = principal;
      return { id: null, name: null, start: null, scopes, tier, expiresAt: expiresAt?.toISOString() ?? null, remaining, ownerId, bootstrap: true };
    }
    return ApiKeySelfDto.of(await this.keys.get(principal.keyId));
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get an API key' })
  @ApiOkResponse({ type: ApiKeyDto, description: 'With a strong ETag; If-None-Match answers 304' })
  @ApiProblems(404)
  @ApiIfNoneMatch()
  async get(@UuidParam() id: string, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<ApiKeyDto | undefined> {
    const key = await this.keys.get(id);
    return withStrongEtag(request, reply, apiKeyEtag(key), key);
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Update an API key',
    description:
      'Changes name, scopes, tier, expiresAt, remaining, metadata, ipAllowlist and rateLimit without rotating the secret; only the fields sent change, and null clears expiresAt, remaining, ipAllowlist and rateLimit. Send If-Match with the ETag to avoid lost updates. Takes effect on every instance within 1 s.',
  })
  @ApiHeader({ name: 'If-Match', required: false, description: 'Apply only if the key still has this ETag (else 412)' })
  @ApiOkResponse({ type: ApiKeyDto, description: 'The key as it is now, with its new ETag' })
  @ApiProblems(404, 412, 422)
  @ApiResponseHeaders({ 200: ['ETag'] })
  async update(
    @UuidParam() id: string,
    @Body() dto: UpdateApiKeyDto,
    @CurrentPrincipal() issuer: ApiKeyPrincipal,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ApiKeyDto> {
    const ifMatch = request.headers['if-match'];
    const key = await this.keys.update(id, dto, issuer, Array.isArray(ifMatch) ? ifMatch.join(',') : ifMatch);
    reply.header('etag', apiKeyEtag(key));
    return key;
  }

  @Get(':id/usage')
  @ApiOperation({
    summary: 'Usage of an API key',
    description:
      'Requests by UTC hour or day and outcome (allowed, rateLimited, usageExceeded, forbidden), including charged verifications. Counted in Redis and written in batches: the last few seconds may be missing. `format=csv` or `ndjson` exports the same rows.',
  })
  @ApiProduces('application/json', 'text/csv', 'application/x-ndjson')
  @ApiOkResponse({ type: KeyUsageDto })
  @ApiProblems(404, 422)
  @ApiResponseHeaders({ 200: [{ name: 'Content-Disposition', optional: true }] }) // the csv and ndjson downloads
  async usageOf(@UuidParam() id: string, @Query() query: KeyUsageQueryDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<KeyUsageDto | string> {
    return usageAnswer(await this.usage.report(id, query), query, reply, { filename: `api-key-${id}-usage`, subject: { keyId: id } });
  }

  @Get(':id/usage/routes')
  @ApiOperation({
    summary: 'Top routes of an API key',
    description:
      'Admitted requests per route (method and template, e.g. `GET /api/v1/pages/:id`) in the window, most requested first. Counted in Redis and written in batches: the last few seconds may be missing.',
  })
  @ApiOkResponse({ type: KeyRoutesDto })
  @ApiProblems(404, 422)
  routesOf(@UuidParam() id: string, @Query() query: KeyRoutesQueryDto): Promise<KeyRoutesDto> {
    return this.usage.topRoutes(id, query);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an API key', description: 'Rejected on every instance within 1 s.' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiProblems(404)
  async remove(@UuidParam() id: string): Promise<void> {
    await this.keys.remove(id);
  }

  @Patch(':id/revoke')
  @ApiOperation({ summary: 'Revoke an API key', description: 'The key stays listed with `revokedAt` and is rejected on every instance within 1 s.' })
  @ApiOkResponse({ type: ApiKeyDto })
  @ApiProblems(404)
  revoke(@UuidParam() id: string): Promise<ApiKeyDto> {
    return this.keys.revoke(id);
  }

  @Post(':id/rotate')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Rotate an API key',
    description: 'Issues a new key (shown once); the previous one keeps working until `previousKeyExpiresAt` (API_KEY_ROTATION_GRACE_S).',
  })
  @ApiOkResponse({ type: IssuedApiKeyDto })
  @ApiProblems(404, 409)
  @ApiResponseHeaders({ 200: ['Cache-Control'] })
  async rotate(@UuidParam() id: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<IssuedApiKeyDto> {
    const issued = await this.keys.rotate(id);
    // The new secret must not be kept by any cache; an error answer has no secret to protect.
    reply.header('cache-control', 'no-store');
    return issued;
  }
}
