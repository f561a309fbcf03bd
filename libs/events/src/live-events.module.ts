import { Module } from '@nestjs/common';
import { ApiKeysModule } from '@strata/api-keys';
import { EventFanOut } from './event-fanout';
import { EventStreamController } from './event-stream.controller';
import { EventWebSocketServer } from './event-websocket-server';
import { EventsModule } from './events.module';
import { LiveEvents } from './live-events';
import { StreamAdmission } from './stream-admission';
import { StreamConnections } from './stream-connections';

/** HTTP role: the SSE and WebSocket streams, fed by this instance's Redis subscription through one fan-out. */
@Module({
  imports: [EventsModule, ApiKeysModule],
  controllers: [EventStreamController],
  providers: [LiveEvents, EventFanOut, StreamConnections, StreamAdmission, EventWebSocketServer],
  exports: [EventFanOut],
})
export class LiveEventsModule {}
