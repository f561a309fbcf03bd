import { Module } from '@nestjs/common';
import { EventsModule } from './events.module';
import { OutboxRelay } from './outbox-relay';

/** Worker role: moves committed outbox rows to subscribers and Redis. */
@Module({
  imports: [EventsModule],
  providers: [OutboxRelay],
})
export class OutboxRelayModule {}
