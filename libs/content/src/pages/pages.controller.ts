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
import { CreatePageDto, PageDto, PageListDto, PageListQueryDto, UpdatePageDto } from './page.dto';
import { PagesService } from './pages.service';

@ApiTags('pages')
@ApiProblems(400)
@RequireReadWriteScopes('content:read', 'content:write')
@Controller('pages')
export class PagesController {
  constructor(
    private readonly pages: PagesService,
    private readonly itemReads: ContentItemReads,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List pages', description: 'Cursor-paginated; filter by status, tag, slug; search with q.' })
  @ApiOkResponse({ type: PageListDto })
  @ApiResponseHeaders({ 200: ['Cache-Control'] })
  async list(@Query() query: PageListQueryDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<PageListDto> {
    return withCacheControl(reply, await this.pages.readList(query));
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a page' })
  @ApiIfNoneMatch({ cacheControl: true })
  @ApiOkResponse({ type: PageDto, description: 'The page, with its ETag' })
  @ApiProblems(404)
  async get(@UuidParam() id: string, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<PageDto | undefined> {
    return (await this.itemReads.answer('pages', id, request, reply)) as PageDto | undefined;
  }

  @Post()
  @ApiOperation({ summary: 'Create a page' })
  @ApiCreatedResponse({ type: PageDto, description: 'Created; Location and ETag headers are set' })
  @ApiResponseHeaders({ 201: ['Location', 'ETag'] })
  @ApiProblems(409, 413)
  async create(@Body() dto: CreatePageDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<PageDto> {
    const page = await this.pages.create(dto);
    return created(reply, `/api/v1/pages/${page.id}`, page, PageDto.from(page));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Update a page', description: 'Only the fields sent change. Send If-Match with the ETag to avoid lost updates.' })
  @ApiIfMatch()
  @ApiOkResponse({ type: PageDto })
  @ApiResponseHeaders({ 200: ['ETag'] })
  @ApiProblems(404, 409, 412, 413)
  async update(
    @UuidParam() id: string,
    @Body() dto: UpdatePageDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PageDto | undefined> {
    const page = await this.pages.update(id, dto, expectedVersion(request, id));
    reply.header('etag', etagFor(page.id, page.version));
    return PageDto.from(page);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a page' })
  @ApiIfMatch()
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiProblems(404, 412)
  async remove(@UuidParam() id: string, @Req() request: FastifyRequest): Promise<void> {
    await this.pages.remove(id, expectedVersion(request, id));
  }

  @Post('batch')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Create, update and delete pages in one transaction',
    description: 'Up to 100 operations, applied in order, all or nothing. A failure answers the failing operation index and applies nothing.',
  })
  @ApiBatch('Page', { create: CreatePageDto, update: UpdatePageDto, item: PageDto })
  @ApiProblems(404, 409, 412, 413)
  async batch(@Body() dto: BatchRequestDto): Promise<BatchResponseDto<PageDto>> {
    return { data: await this.pages.batch(dto.operations) };
  }
}
