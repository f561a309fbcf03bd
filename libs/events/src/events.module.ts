import { Module } from '@nestjs/common';
import { ContentModule } from '@strata/content';
import { ContentEvents } from './content-events';
import { DomainEvents } from './domain-events';
import { EventStream } from './event-stream';
import { OutboxBacklog } from './outbox-backlog';
import { OutboxSubscribers } from './outbox-subscribers';

/** Domain events for every role: the outbox writer (hooked to content writes) and the Redis stream. */
@Module({
  imports: [ContentModule],
  providers: [DomainEvents, ContentEvents, EventStream, OutboxSubscribers, OutboxBacklog],
  exports: [DomainEvents, EventStream, OutboxSubscribers, OutboxBacklog],
})
export class EventsModule {}
