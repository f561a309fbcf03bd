import { Module } from '@nestjs/common';
import { QueueDashboardModule } from './dashboard/queue-dashboard.module';
import { WebhookEndpointsService } from './endpoints/webhook-endpoints.service';
import { WebhooksController } from './endpoints/webhooks.controller';

/** HTTP role: the endpoints API and the queue dashboard. */
@Module({
  imports: [QueueDashboardModule],
  controllers: [WebhooksController],
  providers: [WebhookEndpointsService],
})
export class WebhooksModule {}
