import { Body, Controller, Delete, Get, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiIfNoneMatch, ApiProblems, ApiResponseHeaders, RequireReadWriteScopes, UuidParam, withRepresentationEtag } from '@strata/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CreateRelationshipDto, RelationshipDto, RelationshipListDto, RelationshipListQueryDto } from './relationship.dto';
import { RelationshipsService } from './relationships.service';

@ApiTags('relationships')
@ApiProblems(400)
@RequireReadWriteScopes('content:read', 'relationships:write')
@Controller('relationships')
export class RelationshipsController {
  constructor(private readonly relationships: RelationshipsService) {}

  @Post()
  @ApiOperation({
    summary: 'Link two content items',
    description:
      'Both ends must exist and differ (else 422), the type must be registered (else 422), and the same source, target and type only once (else 409). Emits relationship.created.',
  })
  @ApiCreatedResponse({ type: RelationshipDto, description: 'Created; Location is set' })
  @ApiProblems(409, 422)
  @ApiResponseHeaders({ 201: ['Location'] })
  async create(@Body() dto: CreateRelationshipDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<RelationshipDto> {
    const relationship = await this.relationships.create(dto);
    reply.status(201).header('location', `/api/v1/relationships/${relationship.id}`);
    return relationship;
  }

  @Get()
  @ApiOperation({
    summary: 'List relationships',
    description: 'Filter by source (sourceType + sourceId), target (targetType + targetId) and type; cursor-paginated in creation order.',
  })
  @ApiOkResponse({ type: RelationshipListDto })
  list(@Query() query: RelationshipListQueryDto): Promise<RelationshipListDto> {
    return this.relationships.readList(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a relationship' })
  @ApiOkResponse({ type: RelationshipDto, description: 'With a strong ETag; If-None-Match answers 304' })
  @ApiProblems(404)
  @ApiIfNoneMatch()
  async get(
    @UuidParam('id') id: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RelationshipDto | undefined> {
    return withRepresentationEtag(request, reply, await this.relationships.read(id.toLowerCase()));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a relationship', description: 'Emits relationship.deleted.' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiProblems(404)
  async remove(@UuidParam('id') id: string): Promise<void> {
    await this.relationships.remove(id.toLowerCase());
  }
}
