import { Module } from '@nestjs/common';
import { ApiKeysModule } from '@strata/api-keys';
import { EventsModule } from '@strata/events';
import { RateLimitModule } from '@strata/rate-limit';
import { DeliveryQueueModule } from '../delivery/delivery-queue.module';
import { AdminSessions } from './admin-session';
import { AdminSignIn } from './admin-sign-in';
import { QueueDashboard } from './queue-dashboard';
import { QueueMetrics } from './queue-metrics';

/** HTTP role: bull-board over the delivery queue (admin scope; browsers sign in at /admin/sign-in) and the queue's depth on /metrics. */
@Module({
  imports: [DeliveryQueueModule, ApiKeysModule, RateLimitModule, EventsModule],
  providers: [AdminSessions, AdminSignIn, QueueDashboard, QueueMetrics],
})
export class QueueDashboardModule {}
