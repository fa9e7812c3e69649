import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QueueName } from '../queue/queues';
import { DeliveryQueue } from './delivery-queue';

/** The `webhook-deliveries` queue and its enqueue helpers, shared by the outbox, the API and the worker. */
@Module({
  imports: [BullModule.registerQueue({ name: QueueName.WebhookDeliveries })],
  providers: [DeliveryQueue],
  exports: [DeliveryQueue, BullModule],
})
export class WebhookQueueModule {}
