import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query, Req, Res, StreamableFile } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiIfMatch, ApiIfNoneMatch, ApiProblems, ApiResponseHeaders, ProblemException, RequireReadWriteScopes, UuidParam } from '@strata/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { BatchRequestDto } from '../shared/batch.dto';
import { BatchResponseDto } from '../shared/batch-response.dto';
import { ApiBatch } from '../shared/batch.openapi';
import { etagFor } from '../shared/etag';
import { created, expectedVersion, withCacheControl, withEtag } from '../shared/http';
import { ContentItemReads } from '../shared/item-reads';
import { answerToRange } from './byte-range';
import { inlineContentDisposition } from './content-disposition';
import { MediaUploadReader } from './media-upload.reader';
import { MediaDto, MediaListDto, MediaListQueryDto, mediaUrl, UpdateMediaDto } from './media.dto';
import { ApiMediaFileResponse, ApiMediaUploadBody } from './media.openapi';
import { MediaService } from './media.service';

// Served files are user content on our origin: a sandbox CSP keeps an uploaded HTML or SVG
// file from running scripts when opened directly, while front ends on other origins may
// still embed images and video (helmet's default Cross-Origin-Resource-Policy would block them).
const FILE_SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline'; sandbox",
  'cross-origin-resource-policy': 'cross-origin',
};

@ApiTags('media')
@ApiProblems(400)
@RequireReadWriteScopes('content:read', 'content:write')
@Controller('media')
export class MediaController {
  constructor(
    private readonly media: MediaService,
    private readonly uploads: MediaUploadReader,
    private readonly itemReads: ContentItemReads,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'List media',
    description: 'Cursor-paginated; filter by mimeType (exact or `image/*`) and tag; search filename and alt text with q.',
  })
  @ApiOkResponse({ type: MediaListDto })
  @ApiResponseHeaders({ 200: ['Cache-Control'] })
  async list(@Query() query: MediaListQueryDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<MediaListDto> {
    return withCacheControl(reply, await this.media.readList(query));
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a media item' })
  @ApiIfNoneMatch({ cacheControl: true })
  @ApiOkResponse({ type: MediaDto, description: 'The media item, with its ETag' })
  @ApiProblems(404)
  async get(@UuidParam() id: string, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<MediaDto | undefined> {
    return (await this.itemReads.answer('media', id, request, reply)) as MediaDto | undefined;
  }

  @Get(':id/file')
  @ApiOperation({
    summary: 'Download the file of a media item',
    description:
      "Streams the stored bytes, or answers 302 to MEDIA_PUBLIC_URL/{storage key} or to a presigned S3 URL when the server is configured so. The ETag is the media item's, so If-None-Match works as for the item. " +
      'One byte range (`Range: bytes=0-1023`, with optional `If-Range`) answers 206 with Content-Range; several ranges get the whole file.',
  })
  @ApiIfNoneMatch({ cacheControl: true })
  @ApiMediaFileResponse()
  @ApiProblems(404, 416)
  async download(
    @UuidParam() id: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<StreamableFile | undefined> {
    const media = await this.media.get(id);
    // 304 when the client's copy is current: the file is not even opened.
    if (!withEtag(request, reply, media, media)) return undefined;
    // MEDIA_PUBLIC_URL or a presigned URL: the bytes come from there (Range and all).
    const direct = await this.media.directDownload(media);
    if (direct) {
      // A presigned URL expires: a cached redirect must not outlive it.
      if (direct.expiresInS !== undefined) reply.header('cache-control', `private, max-age=${Math.floor(direct.expiresInS / 5)}`);
      reply.status(302).header('location', direct.url);
      return undefined;
    }
    reply.headers(FILE_SECURITY_HEADERS).header('accept-ranges', 'bytes');
    const answer = answerToRange(request.headers, media.sizeBytes, etagFor(media.id, media.version));
    if (answer.kind === 'unsatisfiable') {
      throw new ProblemException({
        status: 416,
        detail: `The file has ${media.sizeBytes} bytes; the requested range has none of them.`,
        headers: { 'content-range': `bytes */${media.sizeBytes}` },
      });
    }
    const range = answer.kind === 'part' ? answer.range : undefined;
    const content = await this.media.openFile(media, range);
    if (range) reply.status(206).header('content-range', `bytes ${range.start}-${range.end}/${media.sizeBytes}`);
    const length = range ? range.end - range.start + 1 : media.sizeBytes;
    return new StreamableFile(content, { type: media.mimeType, length, disposition: inlineContentDisposition(media.filename) });
  }

  @Post()
  @ApiOperation({ summary: 'Upload a file', description: 'multipart/form-data with one "file" part and optional altText, tags and metadata fields.' })
  @ApiMediaUploadBody()
  @ApiCreatedResponse({ type: MediaDto, description: 'Stored; Location and ETag headers are set' })
  @ApiProblems(413, 415)
  @ApiResponseHeaders({ 201: ['Location', 'ETag'] })
  async upload(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<MediaDto> {
    const media = await this.media.create(await this.uploads.read(request));
    return created(reply, mediaUrl(media.id), media, MediaDto.from(media));
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Update a media item',
    description: 'filename, altText, tags and metadata; the file itself cannot change. Send If-Match with the ETag to avoid lost updates.',
  })
  @ApiIfMatch()
  @ApiOkResponse({ type: MediaDto })
  @ApiProblems(404, 412, 413)
  @ApiResponseHeaders({ 200: ['ETag'] })
  async update(
    @UuidParam() id: string,
    @Body() dto: UpdateMediaDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<MediaDto> {
    const media = await this.media.update(id, dto, expectedVersion(request, id));
    reply.header('etag', etagFor(media.id, media.version));
    return MediaDto.from(media);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a media item and its file' })
  @ApiIfMatch()
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiProblems(404, 412)
  async remove(@UuidParam() id: string, @Req() request: FastifyRequest): Promise<void> {
    await this.media.remove(id, expectedVersion(request, id));
  }

  @Post('batch')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Update and delete media in one transaction',
    description:
      'Up to 100 update or delete operations, applied in order, all or nothing. `create` is refused: a media item needs its file, uploaded with POST /media. Files of deleted items are removed once the transaction has committed.',
  })
  @ApiBatch('Media', { update: UpdateMediaDto, item: MediaDto })
  @ApiProblems(404, 412, 413)
  async batch(@Body() dto: BatchRequestDto): Promise<BatchResponseDto<MediaDto>> {
    return { data: await this.media.batch(dto.operations) };
  }
}
