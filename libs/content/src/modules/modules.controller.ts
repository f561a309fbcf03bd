import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query, Req, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiIfMatch, ApiIfNoneMatch, ApiProblems, ApiResponseHeaders, RequireReadWriteScopes, UuidParam } from '@strata/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { BatchRequestDto } from '../shared/batch.dto';
import { BatchResponseDto } from '../shared/batch-response.dto';
import { ApiBatch } from '../shared/batch.openapi';
import { etagFor } from '../shared/etag';
import { created, expectedVersion, withCacheControl } from '../shared/http';
import { ContentItemReads } from '../shared/item-reads';
import { CreateModuleDto, ModuleDto, ModuleListDto, ModuleListQueryDto, UpdateModuleDto } from './module.dto';
import { ModulesService } from './modules.service';

@ApiTags('modules')
@ApiProblems(400)
@RequireReadWriteScopes('content:read', 'content:write')
@Controller('modules')
export class ModulesController {
  constructor(
    private readonly modules: ModulesService,
    private readonly itemReads: ContentItemReads,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'List modules',
    description: "Cursor-paginated; filter by pageId, kind, tag; search with q. Sort by position for a page's blocks in order.",
  })
  @ApiOkResponse({ type: ModuleListDto })
  @ApiResponseHeaders({ 200: ['Cache-Control'] })
  async list(@Query() query: ModuleListQueryDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<ModuleListDto> {
    return withCacheControl(reply, await this.modules.readList(query));
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a module' })
  @ApiIfNoneMatch({ cacheControl: true })
  @ApiOkResponse({ type: ModuleDto, description: 'The module, with its ETag' })
  @ApiProblems(404)
  async get(@UuidParam() id: string, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<ModuleDto | undefined> {
    return (await this.itemReads.answer('modules', id, request, reply)) as ModuleDto | undefined;
  }

  @Post()
  @ApiOperation({ summary: 'Create a module' })
  @ApiCreatedResponse({ type: ModuleDto, description: 'Created; Location and ETag headers are set' })
  @ApiProblems(413, 422)
  @ApiResponseHeaders({ 201: ['Location', 'ETag'] })
  async create(@Body() dto: CreateModuleDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<ModuleDto> {
    const module = await this.modules.create(dto);
    return created(reply, `/api/v1/modules/${module.id}`, module, ModuleDto.from(module));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Update a module', description: 'Only the fields sent change. Send If-Match with the ETag to avoid lost updates.' })
  @ApiIfMatch()
  @ApiOkResponse({ type: ModuleDto })
  @ApiProblems(404, 412, 413, 422)
  @ApiResponseHeaders({ 200: ['ETag'] })
  async update(
    @UuidParam() id: string,
    @Body() dto: UpdateModuleDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ModuleDto | undefined> {
    const module = await this.modules.update(id, dto, expectedVersion(request, id));
    reply.header('etag', etagFor(module.id, module.version));
    return ModuleDto.from(module);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a module' })
  @ApiIfMatch()
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiProblems(404, 412)
  async remove(@UuidParam() id: string, @Req() request: FastifyRequest): Promise<void> {
    await this.modules.remove(id, expectedVersion(request, id));
  }

  @Post('batch')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Create, update and delete modules in one transaction',
    description: 'Up to 100 operations, applied in order, all or nothing. A failure answers the failing operation index and applies nothing.',
  })
  @ApiBatch('Module', { create: CreateModuleDto, update: UpdateModuleDto, item: ModuleDto })
  @ApiProblems(404, 412, 413, 422)
  async batch(@Body() dto: BatchRequestDto): Promise<BatchResponseDto<ModuleDto>> {
    return { data: await this.modules.batch(dto.operations) };
  }
}
