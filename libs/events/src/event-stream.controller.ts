import { Controller, Get, Headers, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiHeader, ApiOkResponse, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ApiKeyPrincipal, CurrentPrincipal } from '@strata/api-keys';
import { ApiProblems, ApiResponseHeaders, ProblemException, RequireScope } from '@strata/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { parseEventFilter } from './event-filter';
import { EventStream, resume } from './event-stream';
import { SseSession } from './sse-session';
import { StreamAdmission } from './stream-admission';

/** `GET /api/v1/events`: every domain event, live, as Server-Sent Events. */
@ApiTags('events')
@RequireScope('content:read')
@Controller('events')
export class EventStreamController {
  constructor(
    private readonly stream: EventStream,
    private readonly admission: StreamAdmission,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Stream domain events (Server-Sent Events)',
    description:
      'Each event is sent with an `id:` line; reconnect with `Last-Event-ID` to receive what was missed from a bounded recent window. ' +
      'Comment heartbeats keep the stream open. A client that reads too slowly (its buffer on the server passes EVENTS_SUBSCRIBER_BUFFER_BYTES ' +
      'or EVENTS_SUBSCRIBER_BUFFER_EVENTS) is disconnected with a final `: disconnected: too slow …` comment and resumes with `Last-Event-ID`. ' +
      'Open streams per key are limited by tier (429), subscribers per instance by EVENTS_MAX_SUBSCRIBERS (503).\n\n' +
      '**WebSocket**: `GET /api/v1/events/ws` with `Upgrade: websocket` gives the same stream, filters (`?types=`) and limits; `?lastEventId=` resumes. ' +
      'The key never goes in the URL: `Authorization` / `X-API-Key` (non-browser clients), a `bearer.<key>` subprotocol offered beside `strata-events` ' +
      '(browsers: `new WebSocket(url, ["strata-events", "bearer." + key])`), or a first message `{"type":"auth","key":"sk_…"}` within 10 s. ' +
      'Each event is a text message with the event JSON; control messages: `{"type":"ready"}`, `{"type":"error",…}` then close code 4000 + HTTP status, ' +
      '`{"type":"disconnect","reason"}` then close 1008 for a client too slow to read. Pings every EVENTS_HEARTBEAT_MS; refusals before the upgrade are problem+json.',
  })
  @ApiQuery({
    name: 'types',
    required: false,
    description: 'Event types or patterns (`page.*`, `*`), comma-separated (the parameter may also be repeated); all events when left out',
    // A comma list on the wire: `?types=page.*,media.uploaded`.
    style: 'form',
    explode: false,
    schema: { type: 'array', items: { type: 'string' } },
    example: ['page.*', 'media.uploaded'],
  })
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'Resume after this event id' })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({
    description: 'An endless text/event-stream',
    content: {
      'text/event-stream': {
        schema: { type: 'string', example: 'id: 01936f3e-0000-7000-8000-000000000001\nevent: page.created\ndata: {"id":"evt_…","type":"page.created"}\n\n' },
      },
    },
  })
  @ApiProblems(400, 429, 503)
  @ApiResponseHeaders({ 200: ['Cache-Control'] })
  async subscribe(
    @Query('types') types: string | string[] | undefined,
    @Headers('last-event-id') lastEventId: string | undefined,
    @CurrentPrincipal() principal: ApiKeyPrincipal,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const patterns = parseEventFilter(types);
    const release = await this.admission.admit(principal);
    const session = new SseSession(reply.raw, patterns, this.admission.limits);
    this.admission.register(session, release);
    // Live events that arrive while the missed ones are read wait in the session's queue.
    if (lastEventId) session.hold();

    reply.hijack();
    session.start({
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      'x-request-id': String(request.id),
    });
    if (lastEventId) await resume(session, this.stream, lastEventId);
  }

  /**
   * A plain GET of the WebSocket endpoint (no Upgrade header: EventWebSocketServer takes real
   * upgrades from the HTTP server before any route runs). OpenAPI 3.0 cannot describe a
   * WebSocket, so the endpoint is documented in the SSE operation instead.
   */
  @Get('ws')
  @ApiExcludeEndpoint()
  upgradeRequired(): never {
    throw new ProblemException({
      status: 426,
      detail: 'This endpoint speaks WebSocket: connect with a WebSocket client (Upgrade: websocket), or use GET /api/v1/events for Server-Sent Events.',
      headers: { Upgrade: 'websocket', Connection: 'Upgrade' },
    });
  }
}
