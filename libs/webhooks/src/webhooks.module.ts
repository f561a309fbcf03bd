import { Module } from '@nestjs/common';
import { QueueDashboardModule } from './dashboard/queue-dashboard.module';
import { WebhookEndpointsService } from './endpoints/webhook-endpoints.service';
import { WebhookReplaysService } from './endpoints/webhook-replays.service';
import { WebhookStatsService } from './endpoints/webhook-stats.service';
import { WebhooksController } from './endpoints/webhooks.controller';
import { EventTypesController } from './event-types/event-types.controller';

/** HTTP role: the endpoints API and the queue dashboard. */
@Module({
  imports: [QueueDashboardModule],
  controllers: [WebhooksController, EventTypesController],
  providers: [WebhookEndpointsService, WebhookStatsService, WebhookReplaysService],
})
export class WebhooksModule {}
