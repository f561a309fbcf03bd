import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiIfNoneMatch, ApiProblems, ApiResponseHeaders, RequireScope, UuidParam, withRepresentationEtag } from '@strata/core';
import { RouteRateLimit } from '@strata/rate-limit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  CreateWebhookDto,
  QueuedDto,
  UpdateWebhookDto,
  WebhookDeliveryListDto,
  WebhookDeliveryQueryDto,
  WebhookDto,
  WebhookListDto,
  WebhookListQueryDto,
  WebhookWithSecretDto,
} from './webhook-endpoint.dto';
import { WebhookEndpointsService } from './webhook-endpoints.service';
import { RecoverWebhookDto, ReplayWebhookDto, WebhookReplayDto, WebhookStatsDto } from './webhook-operations.dto';
import { WebhookReplaysService } from './webhook-replays.service';
import { WebhookStatsService } from './webhook-stats.service';

/** Test pings are real requests to someone's receiver: 10 a minute per key, whatever the tier. */
const WEBHOOK_TEST_LIMIT = { name: 'webhook-test', perMinute: 10 };

@ApiTags('webhooks')
@ApiProblems(400)
@RequireScope('webhooks:manage')
@Controller('webhooks')
export class WebhooksController {
  constructor(
    private readonly endpoints: WebhookEndpointsService,
    private readonly statistics: WebhookStatsService,
    private readonly replays: WebhookReplaysService,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Register a webhook endpoint', description: 'The answer carries the signing secret; it is shown only here and on rotation.' })
  @ApiCreatedResponse({ type: WebhookWithSecretDto })
  @ApiProblems(422)
  @ApiResponseHeaders({ 201: ['Location'] })
  async create(@Body() dto: CreateWebhookDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<WebhookWithSecretDto> {
    const endpoint = await this.endpoints.create(dto);
    reply.status(201).header('location', `/api/v1/webhooks/${endpoint.id}`);
    return endpoint;
  }

  @Get()
  @ApiOperation({ summary: 'List webhook endpoints' })
  @ApiOkResponse({ type: WebhookListDto })
  list(@Query() query: WebhookListQueryDto): Promise<WebhookListDto> {
    return this.endpoints.list(query.limit, query.cursor);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a webhook endpoint' })
  @ApiOkResponse({ type: WebhookDto, description: 'With a strong ETag; If-None-Match answers 304' })
  @ApiProblems(404)
  @ApiIfNoneMatch()
  async get(@UuidParam('id') id: string, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<WebhookDto | undefined> {
    return withRepresentationEtag(request, reply, await this.endpoints.get(id));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Update a webhook endpoint', description: 'Setting `active: true` re-enables it like `enable`.' })
  @ApiOkResponse({ type: WebhookDto })
  @ApiProblems(404, 422)
  update(@UuidParam('id') id: string, @Body() dto: UpdateWebhookDto): Promise<WebhookDto> {
    return this.endpoints.update(id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a webhook endpoint and its delivery log' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiProblems(404)
  async remove(@UuidParam('id') id: string): Promise<void> {
    await this.endpoints.remove(id);
  }

  @Post(':id/test')
  @HttpCode(202)
  @RouteRateLimit(WEBHOOK_TEST_LIMIT)
  @ApiOperation({
    summary: 'Send a webhook.ping event to this endpoint now',
    description: `Each call sends a real request to the receiver, so the route has its own limit besides the tier's: ${WEBHOOK_TEST_LIMIT.perMinute} calls per minute per key (policy "${WEBHOOK_TEST_LIMIT.name}" in the RateLimit headers).`,
  })
  @ApiAcceptedResponse({ type: QueuedDto })
  @ApiProblems(404)
  test(@UuidParam('id') id: string): Promise<QueuedDto> {
    return this.endpoints.test(id);
  }

  @Get(':id/deliveries')
  @ApiOperation({
    summary: 'Deliveries to this endpoint, newest first, each with every attempt',
    description: 'Searchable by `eventId`, `status` and creation time (`from` inclusive, `to` exclusive). The log is kept WEBHOOK_ATTEMPT_RETENTION_DAYS.',
  })
  @ApiOkResponse({ type: WebhookDeliveryListDto })
  @ApiProblems(404)
  deliveries(@UuidParam('id') id: string, @Query() query: WebhookDeliveryQueryDto): Promise<WebhookDeliveryListDto> {
    return this.endpoints.deliveries(id, query);
  }

  @Get(':id/stats')
  @ApiOperation({ summary: 'Attempts, success rate, p50/p99 latency over 1 h, 24 h and 7 d, and the last failure' })
  @ApiOkResponse({ type: WebhookStatsDto })
  @ApiProblems(404)
  async stats(@UuidParam('id') id: string): Promise<WebhookStatsDto> {
    await this.endpoints.find(id);
    return this.statistics.stats(id);
  }

  @Post(':id/recover')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Send again every delivery to this endpoint that failed since a time',
    description:
      'Answers the job at once; the deliveries go through the ordinary queue (paced per endpoint, retried on the schedule). Progress: GET /webhooks/{id}/replays/{jobId}.',
  })
  @ApiAcceptedResponse({ type: WebhookReplayDto })
  @ApiProblems(404, 409)
  recover(@UuidParam('id') id: string, @Body() dto: RecoverWebhookDto): Promise<WebhookReplayDto> {
    return this.replays.recover(id, dto.since);
  }

  @Post(':id/replay')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Send again every event of the given types since a time',
    description:
      'From the outbox, which keeps events OUTBOX_RETENTION_HOURS after relaying them: an older `since` answers 422. Only types the endpoint subscribes to are sent; deliveries still pending are left to their schedule. Progress: GET /webhooks/{id}/replays/{jobId}.',
  })
  @ApiAcceptedResponse({ type: WebhookReplayDto })
  @ApiProblems(404, 409, 422)
  replay(@UuidParam('id') id: string, @Body() dto: ReplayWebhookDto): Promise<WebhookReplayDto> {
    return this.replays.replay(id, dto.since, dto.types);
  }

  @Get(':id/replays/:jobId')
  @ApiOperation({ summary: 'Progress of a recover or replay job: its deliveries by status' })
  @ApiOkResponse({ type: WebhookReplayDto })
  @ApiProblems(404)
  replayProgress(@UuidParam('id') id: string, @UuidParam('jobId') jobId: string): Promise<WebhookReplayDto> {
    return this.replays.get(id, jobId);
  }

  @Post(':id/deliveries/:deliveryId/retry')
  @HttpCode(202)
  @ApiOperation({ summary: 'Send a finished delivery again (a fresh retry schedule)' })
  @ApiAcceptedResponse({ type: QueuedDto })
  @ApiProblems(404, 409)
  retry(@UuidParam('id') id: string, @UuidParam('deliveryId') deliveryId: string): Promise<QueuedDto> {
    return this.endpoints.retryDelivery(id, deliveryId);
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @ApiOperation({ summary: 'Issue a new signing secret', description: 'The previous secret keeps signing alongside the new one for 24 hours.' })
  @ApiOkResponse({ type: WebhookWithSecretDto })
  @ApiProblems(404)
  rotateSecret(@UuidParam('id') id: string): Promise<WebhookWithSecretDto> {
    return this.endpoints.rotateSecret(id);
  }

  @Post(':id/enable')
  @HttpCode(200)
  @ApiOperation({ summary: 'Re-enable a disabled endpoint (clears disabledReason and failureCount)' })
  @ApiOkResponse({ type: WebhookDto })
  @ApiProblems(404)
  enable(@UuidParam('id') id: string): Promise<WebhookDto> {
    return this.endpoints.enable(id);
  }
}
