import { Body, Controller, Get, Post, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems, ApiResponseHeaders, RequireScope } from '@strata/core';
import type { FastifyReply } from 'fastify';
import { RegisterRelationshipTypeDto, RelationshipTypeDto, RelationshipTypeListDto } from './relationship-type.dto';
import { RelationshipTypesService } from './relationship-types.service';

@ApiTags('relationships')
@ApiProblems(400)
@Controller('relationships/types')
export class RelationshipTypesController {
  constructor(private readonly types: RelationshipTypesService) {}

  @Get()
  @RequireScope('content:read')
  @ApiOperation({
    summary: 'List relationship types',
    description: 'Every registered type with its inverse (the name its links carry seen from their target).',
  })
  @ApiOkResponse({ type: RelationshipTypeListDto })
  async list(): Promise<RelationshipTypeListDto> {
    return { data: (await this.types.registry()).types(), nextCursor: null };
  }

  @Post()
  @RequireScope('admin')
  @ApiOperation({
    summary: 'Register a relationship type with its inverse',
    description: 'Both directions are registered at once; `name` equal to `inverse` makes a symmetric type. A name already registered is a 409.',
  })
  @ApiCreatedResponse({ type: RelationshipTypeDto })
  @ApiProblems(409)
  @ApiResponseHeaders({ 201: ['Location'] })
  async register(@Body() dto: RegisterRelationshipTypeDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<RelationshipTypeDto> {
    const type = await this.types.register(dto.name, dto.inverse);
    reply.status(201).header('location', '/api/v1/relationships/types');
    return type;
  }
}
