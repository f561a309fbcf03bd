import { BeforeApplicationShutdown, Controller, Get, Headers, Query, Req, Res } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ApiProblems, AppConfig, ProblemException, RequireScope } from '@strata/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { DomainEvent } from './domain-event';
import { EventStream } from './event-stream';
import { isEventPattern } from './event-types';
import { LiveEvents } from './live-events';
import { SseSession } from './sse-session';

/** `GET /api/v1/events`: every domain event, live, as Server-Sent Events. */
/** More than every event type and pattern there is: a longer list is not a real subscription. */
const MAX_PATTERNS = 50;

@ApiTags('events')
@RequireScope('content:read')
@Controller('events')
export class EventStreamController implements BeforeApplicationShutdown {
  private readonly sessions = new Set<SseSession>();

  constructor(
    private readonly live: LiveEvents,
    private readonly stream: EventStream,
    private readonly config: AppConfig,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Stream domain events (Server-Sent Events)',
    description: 'Each event is sent with an `id:` line; reconnect with `Last-Event-ID` to receive what was missed from a bounded recent window. Comment heartbeats keep the stream open.',
  })
  @ApiQuery({ name: 'types', required: false, description: 'Comma list of event types or patterns (`page.*`, `*`)', example: 'page.*,media.uploaded' })
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'Resume after this event id' })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'An endless text/event-stream', content: { 'text/event-stream': { schema: { type: 'string', example: 'id: 01936f3e-0000-7000-8000-000000000001\nevent: page.created\ndata: {"id":"evt_…","type":"page.created"}\n\n' } } } })
  @ApiProblems(400)
  async subscribe(
    @Query('types') types: string | string[] | undefined,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    // `?types=a&types=b` arrives as an array: both spellings of a list are accepted.
    const patterns = [types ?? '*'].flat().join(',').split(',').map((type) => type.trim()).filter(Boolean);
    const invalid = patterns.filter((pattern) => !isEventPattern(pattern));
    if (patterns.length === 0 || invalid.length > 0 || patterns.length > MAX_PATTERNS) {
      const named = invalid.slice(0, 5).map((pattern) => JSON.stringify(pattern.slice(0, 60)));
      const detail = patterns.length > MAX_PATTERNS ? `At most ${MAX_PATTERNS} event types may be given.` : `Unknown event types: ${named.join(', ') || '(none given)'}.`;
      throw ProblemException.badRequest(detail, {
        types: ['each type must be an event type, a `resource.*` pattern or `*`'],
      });
    }

    reply.hijack();
    reply.raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      'x-request-id': String(request.id),
    });
    reply.raw.write(': connected\n\n');
    const session = new SseSession(reply.raw, patterns, this.config.events.heartbeatMs);
    this.sessions.add(session);

    // Listen before reading the replay window so nothing published in between is missed;
    // events that arrive meanwhile wait until the replay has been written.
    const buffered: DomainEvent[] = [];
    let replaying = Boolean(lastEventId);
    const unlisten = this.live.listen((event) => (replaying ? buffered.push(event) : session.send(event)));
    request.raw.on('close', () => {
      unlisten();
      this.sessions.delete(session);
      session.close();
    });
    if (lastEventId) {
      try {
        for (const event of await this.stream.since(lastEventId)) session.send(event);
      } catch {
        // Redis unavailable: resume is best effort; live events still flow when it returns.
      }
      replaying = false;
      for (const event of buffered) session.send(event);
    }
  }

  beforeApplicationShutdown(): void {
    for (const session of this.sessions) session.close();
    this.sessions.clear();
  }
}
