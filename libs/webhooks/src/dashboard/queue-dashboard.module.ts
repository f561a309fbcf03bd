import { Module } from '@nestjs/common';
import { ApiKeysModule } from '@strata/api-keys';
import { EventsModule } from '@strata/events';
import { DeliveryQueueModule } from '../delivery/delivery-queue.module';
import { QueueDashboard } from './queue-dashboard';
import { QueueMetrics } from './queue-metrics';

/** HTTP role: bull-board over the delivery queue (admin scope) and the queue's depth on /metrics. */
@Module({
  imports: [DeliveryQueueModule, ApiKeysModule, EventsModule],
  providers: [QueueDashboard, QueueMetrics],
})
export class QueueDashboardModule {}
