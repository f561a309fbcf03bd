import { Module } from '@nestjs/common';
import { EventsModule } from '@strata/events';
import { DeliveryEnqueuer } from './delivery/delivery-enqueuer';
import { DeliveryFanout } from './delivery/delivery-fanout';
import { DeliveryQueueModule } from './delivery/delivery-queue.module';
import { EndpointThrottle } from './delivery/endpoint-throttle';
import { FifoOrder } from './delivery/fifo-order';
import { WebhookDeliveryProcessor } from './delivery/webhook-delivery.processor';
import { AttemptLogPruner } from './retention/attempt-log-pruner';

/** Worker role: turns relayed events into queued deliveries and delivers them. */
@Module({
  imports: [EventsModule, DeliveryQueueModule],
  providers: [DeliveryFanout, DeliveryEnqueuer, WebhookDeliveryProcessor, AttemptLogPruner, EndpointThrottle, FifoOrder],
})
export class WebhooksWorkerModule {}
