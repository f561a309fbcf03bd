import { Module } from '@nestjs/common';
import { EventsModule } from '@strata/events';
import { DeliveryEnqueuer } from './delivery/delivery-enqueuer';
import { DeliveryFanout } from './delivery/delivery-fanout';
import { DeliveryQueueModule } from './delivery/delivery-queue.module';
import { WebhookDeliveryProcessor } from './delivery/webhook-delivery.processor';

/** Worker role: turns relayed events into queued deliveries and delivers them. */
@Module({
  imports: [EventsModule, DeliveryQueueModule],
  providers: [DeliveryFanout, DeliveryEnqueuer, WebhookDeliveryProcessor],
})
export class WebhooksWorkerModule {}
