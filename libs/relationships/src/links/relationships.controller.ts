import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems, ProblemException, RequireReadWriteScopes } from '@strata/core';
import type { FastifyReply } from 'fastify';
import { CreateRelationshipDto, RelationshipDto, RelationshipListDto, RelationshipListQueryDto } from './relationship.dto';
import { RelationshipsService } from './relationships.service';

export const UuidParam = (name: string) =>
  Param(name, new ParseUUIDPipe({ exceptionFactory: () => ProblemException.badRequest(`${name} must be a UUID.`, { [name]: [`${name} must be a UUID`] }) }));

@ApiTags('relationships')
@ApiProblems(400)
@RequireReadWriteScopes('content:read', 'relationships:write')
@Controller('relationships')
export class RelationshipsController {
  constructor(private readonly relationships: RelationshipsService) {}

  @Post()
  @ApiOperation({
    summary: 'Link two content items',
    description: 'Both ends must exist and differ (else 422), the type must be registered (else 422), and the same source, target and type only once (else 409). Emits relationship.created.',
  })
  @ApiCreatedResponse({ type: RelationshipDto, description: 'Created; Location is set' })
  @ApiProblems(409, 422)
  async create(@Body() dto: CreateRelationshipDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<RelationshipDto> {
    const relationship = await this.relationships.create(dto);
    reply.status(201).header('location', `/api/v1/relationships/${relationship.id}`);
    return relationship;
  }

  @Get()
  @ApiOperation({ summary: 'List relationships', description: 'Filter by source (sourceType + sourceId), target (targetType + targetId) and type; cursor-paginated in creation order.' })
  @ApiOkResponse({ type: RelationshipListDto })
  list(@Query() query: RelationshipListQueryDto): Promise<RelationshipListDto> {
    return this.relationships.readList(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a relationship' })
  @ApiOkResponse({ type: RelationshipDto })
  @ApiProblems(404)
  get(@UuidParam('id') id: string): Promise<RelationshipDto> {
    return this.relationships.read(id.toLowerCase());
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
