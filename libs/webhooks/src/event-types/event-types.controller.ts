import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { ApiProblems, RequireScope } from '@strata/core';
import { EVENT_CATALOG } from '@strata/events';

class EventTypeDto {
  @ApiProperty({ example: 'page.created' }) type: string;
  @ApiProperty({ example: 'A page was created. `data` is the page.' }) description: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: "JSON Schema of the payload's `data`" }) schema: Record<string, unknown>;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'An example `data`' }) example: Record<string, unknown>;
}

class EventTypeListDto {
  @ApiProperty({ type: [EventTypeDto] }) data: EventTypeDto[];
}

/** The event-type catalog; readable with `content:read`, the scope of the live stream that carries these events. */
@ApiTags('webhooks')
@ApiProblems(401, 403, 429)
@RequireScope('content:read')
@Controller('event-types')
export class EventTypesController {
  @Get()
  @ApiOperation({
    summary: 'Every event Strata emits',
    description:
      'Each with a description, the JSON Schema of its payload `data` and an example. Every payload is `{ id, type, timestamp, data }`. Webhook subscriptions and replays accept these types, `resource.*` wildcards and `*`.',
  })
  @ApiOkResponse({ type: EventTypeListDto })
  list(): EventTypeListDto {
    return { data: EVENT_CATALOG.map(({ type, description, schema, example }) => ({ type, description, schema, example })) };
  }
}
