import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EventsModule } from '../events/events.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { WebhookAttempt } from './entities/webhook-attempt.entity';
import { WebhookDelivery } from './entities/webhook-delivery.entity';
import { WebhookEndpoint } from './entities/webhook-endpoint.entity';
import { WebhookEvent } from './entities/webhook-event.entity';
import { DeliveryProcessor } from './jobs/delivery.processor';
import { WebhookSweeper } from './jobs/webhook.sweeper';
import { OutboundHttpModule } from '../http/outbound-http.module';
import { WebhookDeliveriesService } from './webhook-deliveries.service';
import { WebhookDispatcher } from './webhook-dispatcher';
import { WebhookEndpointsService } from './webhook-endpoints.service';
import { WebhookQueueModule } from './webhook-queue.module';
import { WebhookEventTypesController, WebhooksController } from './webhooks.controller';

/** Endpoints, delivery log and replay. Mounted only when ENABLE_WEBHOOKS is true (otherwise the routes are 404). */
@Module({
  imports: [
    TypeOrmModule.forFeature([WebhookEndpoint, WebhookEvent, WebhookDelivery, WebhookAttempt]),
    WebhookQueueModule,
    EventsModule,
    NotificationsModule,
    OutboundHttpModule,
  ],
  controllers: [WebhooksController, WebhookEventTypesController],
  providers: [WebhookEndpointsService, WebhookDeliveriesService],
  exports: [WebhookEndpointsService, WebhookDeliveriesService],
})
export class WebhooksModule {}

/** Worker-only: the delivery processor, the sweeper and the retention pruner. */
@Module({
  imports: [WebhooksModule, WebhookQueueModule, NotificationsModule, OutboundHttpModule],
  providers: [WebhookDispatcher, DeliveryProcessor, WebhookSweeper],
  exports: [WebhookSweeper, WebhookDispatcher],
})
export class WebhooksWorkerModule {}
