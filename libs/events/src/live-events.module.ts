import { Module } from '@nestjs/common';
import { EventStreamController } from './event-stream.controller';
import { EventsModule } from './events.module';
import { LiveEvents } from './live-events';

/** HTTP role: the SSE stream, fed by this instance's Redis subscription. */
@Module({
  imports: [EventsModule],
  controllers: [EventStreamController],
  providers: [LiveEvents],
})
export class LiveEventsModule {}
