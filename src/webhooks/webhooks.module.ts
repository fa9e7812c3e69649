import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { EventsModule } from '../events/events.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { WebhookAttempt } from './entities/webhook-attempt.entity';
import { WebhookDelivery } from './entities/webhook-delivery.entity';
import { WebhookEndpoint } from './entities/webhook-endpoint.entity';
import { WebhookEvent } from './entities/webhook-event.entity';
import { HttpSender } from '../http/outbound-http-client';
import { DeliveryProcessor } from './jobs/delivery.processor';
import { WebhookSweeper } from './jobs/webhook.sweeper';
import { WebhookSigner } from '../http/signing/webhook-signer';
import { WebhookDeliveriesService } from './webhook-deliveries.service';
import { WEBHOOK_HTTP_SENDER, WebhookDispatcher } from './webhook-dispatcher';
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
  ],
  controllers: [WebhooksController, WebhookEventTypesController],
  providers: [WebhookEndpointsService, WebhookDeliveriesService],
  exports: [WebhookEndpointsService, WebhookDeliveriesService],
})
export class WebhooksModule {}

/** Worker-only: the delivery processor, the sweeper and the retention pruner. */
@Module({
  imports: [WebhooksModule, WebhookQueueModule, NotificationsModule],
  providers: [
    WebhookDispatcher,
    WebhookSigner,
    DeliveryProcessor,
    WebhookSweeper,
    {
      provide: WEBHOOK_HTTP_SENDER,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => new HttpSender({ allowPrivateNetworks: config.allowPrivateNetworks }),
    },
  ],
  exports: [WebhookSweeper, WebhookDispatcher],
})
export class WebhooksWorkerModule {}
