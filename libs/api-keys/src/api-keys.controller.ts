import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query, Req, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems, RequireScope, UuidParam, withRepresentationEtag } from '@strata/core';
import { RateLimitCost } from '@strata/rate-limit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiKeyPrincipal } from './api-key-principal';
import { ApiKeyDto, ApiKeyListDto, ApiKeyListQueryDto, CreateApiKeyDto, IssuedApiKeyDto, VerifyApiKeyDto, VerifyApiKeyResultDto } from './api-key.dto';
import { ApiKeysService } from './api-keys.service';
import { CurrentPrincipal } from './principal.decorator';

@ApiTags('api-keys')
@ApiProblems(400, 401, 403, 429)
@RequireScope('keys:manage')
@Controller('api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  @ApiOperation({ summary: 'Create an API key', description: 'Answers the key once (`sk_` + 40 base62 characters); only its SHA-256 and first 8 characters are stored. A key can grant only scopes it holds.' })
  @ApiCreatedResponse({ type: IssuedApiKeyDto, description: 'Created; the Location header points at it' })
  @ApiProblems(422)
  async create(@Body() dto: CreateApiKeyDto, @CurrentPrincipal() issuer: ApiKeyPrincipal, @Res({ passthrough: true }) reply: FastifyReply): Promise<IssuedApiKeyDto> {
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
  @ApiOperation({ summary: 'Verify a key', description: 'Whether a key is valid and what it may do, without using it (its `remaining` is not charged). Costs 5 requests of the caller\'s budget.' })
  @ApiOkResponse({ type: VerifyApiKeyResultDto })
  verify(@Body() dto: VerifyApiKeyDto): Promise<VerifyApiKeyResultDto> {
    return this.keys.verify(dto.key);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get an API key' })
  @ApiOkResponse({ type: ApiKeyDto, description: 'With a strong ETag; If-None-Match answers 304' })
  @ApiProblems(404)
  async get(@UuidParam() id: string, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<ApiKeyDto | undefined> {
    return withRepresentationEtag(request, reply, await this.keys.get(id));
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
  @ApiOperation({ summary: 'Rotate an API key', description: 'Issues a new key (shown once); the previous one keeps working until `previousKeyExpiresAt` (API_KEY_ROTATION_GRACE_S).' })
  @ApiOkResponse({ type: IssuedApiKeyDto })
  @ApiProblems(404, 409)
  async rotate(@UuidParam() id: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<IssuedApiKeyDto> {
    reply.header('cache-control', 'no-store');
    return this.keys.rotate(id);
  }
}
