import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EventsModule } from '../events/events.module';
import { OutboundHttpModule } from '../http/outbound-http.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { DeliveryBatchRepository } from './dispatch/delivery-batch.repository';
import { EndpointStatusService } from './dispatch/endpoint-status.service';
import { WebhookAttempt } from './entities/webhook-attempt.entity';
import { WebhookDelivery } from './entities/webhook-delivery.entity';
import { WebhookEndpoint } from './entities/webhook-endpoint.entity';
import { WebhookEvent } from './entities/webhook-event.entity';
import { WebhookSweeper } from './jobs/webhook.sweeper';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository';
import { WebhookDeliveriesService } from './webhook-deliveries.service';
import { WebhookDispatcher } from './webhook-dispatcher';
import { WebhookEndpointsRepository } from './webhook-endpoints.repository';
import { WebhookEndpointsService } from './webhook-endpoints.service';
import { WebhookEventTypesController, WebhooksController } from './webhooks.controller';

/** Endpoints, delivery log and replay. Mounted only when ENABLE_WEBHOOKS is true (otherwise the routes are 404). */
@Module({
  imports: [
    TypeOrmModule.forFeature([WebhookEndpoint, WebhookEvent, WebhookDelivery, WebhookAttempt]),
    EventsModule,
    NotificationsModule,
    OutboundHttpModule,
  ],
  controllers: [WebhooksController, WebhookEventTypesController],
  providers: [WebhookEndpointsService, WebhookDeliveriesService, WebhookEndpointsRepository, WebhookDeliveriesRepository],
  // the repositories only for WebhooksWorkerModule (the same feature); other modules call the services
  exports: [WebhookEndpointsService, WebhookDeliveriesService, WebhookEndpointsRepository, WebhookDeliveriesRepository],
})
export class WebhooksModule {}

/** Worker-only: the batch dispatcher, the lease sweeper and the retention pruner. */
@Module({
  imports: [WebhooksModule, NotificationsModule, OutboundHttpModule],
  providers: [DeliveryBatchRepository, EndpointStatusService, WebhookDispatcher, WebhookSweeper],
  exports: [WebhookSweeper, WebhookDispatcher],
})
export class WebhooksWorkerModule {}
